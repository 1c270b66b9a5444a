import type { GitHubClient } from "../github/github-client.js";

/**
 * GitHub asks integrations to space content-creating requests at least 1 s apart per
 * installation, and Probot's Octokit enforces it (plugin-throttling, one write per second).
 * A run created `in_progress` and then completed therefore cannot conclude sooner than 1 s
 * after it appeared, whatever the evaluation costs. So `in_progress` is posted only once an
 * evaluation has taken longer than `afterMs`: a fast one posts its run once, already
 * concluded. A crash in between is the reconciler's: the job is in the in-flight set from
 * pickup, with or without a visible run.
 */
export const IN_PROGRESS_AFTER_MS = 1500;

export interface DeferredInProgress {
  /** Stops the timer (a post under way is awaited); the id of the in_progress run when it was posted, else null. */
  settle(): Promise<number | null>;
}

/**
 * The post never overlaps the job's own requests on `jobClient`: when it falls due while one
 * is in flight, it waits for the job to be between requests, and the job's next request waits
 * for it. Otherwise it went out in the middle of a secondary rate limit's `retry-after` wait
 * (which GitHub answers by extending the limit) or multiplied the 401s of an expired token
 * (test/reliability/github-faults.test.ts). `post` must use another client, or it would wait
 * for itself.
 */
export async function deferInProgress(jobClient: GitHubClient, post: () => Promise<{ readonly id: number }>, afterMs: number): Promise<DeferredInProgress> {
  if (afterMs <= 0) {
    const { id } = await post();
    return { settle: async () => id };
  }
  let due = false;
  let settled = false;
  let inFlight = 0;
  let posted: Promise<number | null> | null = null;
  const start = () => {
    // A failed in_progress post is cosmetic: the completion that follows creates the run anyway.
    if (due && !settled && inFlight === 0 && !posted) posted = post().then((r) => r.id, () => null);
  };
  jobClient.hook.wrap("request", async (request, options) => {
    if (posted) await posted;
    inFlight++;
    try {
      return await request(options);
    } finally {
      inFlight--;
      start();
    }
  });
  const timer = setTimeout(() => {
    due = true;
    start();
  }, afterMs);
  timer.unref();
  return {
    async settle() {
      settled = true;
      clearTimeout(timer);
      return posted ? await posted : null;
    },
  };
}
