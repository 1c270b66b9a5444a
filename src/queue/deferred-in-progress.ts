/**
 * GitHub asks integrations to space content-creating requests at least 1 s apart per
 * installation, and Probot's Octokit enforces it (plugin-throttling, one write per second).
 * A run created `in_progress` and then completed therefore cannot conclude sooner than 1 s
 * after it appeared, whatever the evaluation costs (measured: warm one-file push on 10k files,
 * 2.1 s to conclusion). So `in_progress` is posted only once an evaluation has taken longer
 * than `afterMs`: a fast one posts its run once, already concluded. A crash in between is the
 * reconciler's: the job is in the in-flight set from pickup, with or without a visible run.
 */
export const IN_PROGRESS_AFTER_MS = 1500;

export interface DeferredInProgress {
  /** Stops the timer; the id of the in_progress run when it was posted, else null. */
  settle(): Promise<number | null>;
}

export async function deferInProgress(post: () => Promise<{ readonly id: number }>, afterMs: number): Promise<DeferredInProgress> {
  if (afterMs <= 0) {
    const { id } = await post();
    return { settle: async () => id };
  }
  let posted: Promise<number | null> | null = null;
  // A failed in_progress post is cosmetic: the completion that follows creates the run anyway.
  const timer = setTimeout(() => (posted = post().then((r) => r.id, () => null)), afterMs);
  timer.unref();
  return {
    async settle() {
      clearTimeout(timer);
      return posted ? await posted : null;
    },
  };
}
