import { Queue, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { RedisKeys } from "../store/redis-keys.js";
import type { CheckJob } from "./check-job.js";
import { fairPriority } from "./fair-priority.js";

export const CHECK_QUEUE = "plumbline-check";

/**
 * A short debounce lets newest-wins work: BullMQ only replaces a deduplicated job while it is
 * delayed, so a burst of pushes to one branch collapses into its newest SHA.
 */
export const DEBOUNCE_MS = 250;
export const JOB_ATTEMPTS = 4;

export function createCheckQueue(connection: ConnectionOptions, prefix: string): Queue<CheckJob> {
  return new Queue<CheckJob>(CHECK_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: JOB_ATTEMPTS,
      backoff: { type: "exponential", delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    },
  });
}

/** One newest-wins key per repository and branch; other jobs dedupe on their exact target. */
export function dedupeKeyOf(job: CheckJob): string {
  if (job.branch) return `r${job.repoId}-b-${Buffer.from(job.branch).toString("base64url")}`;
  return `r${job.repoId}-${job.trigger}-${job.sha ?? "tip"}`;
}

/** Where installations' enqueue counts live (see fairPriority). */
export interface FairShare {
  readonly redis: Redis;
  readonly keys: RedisKeys;
}

/** Adds a check job; its priority is counted here unless the caller counted it already (see countingMulti). */
export async function enqueueCheck(queue: Queue<CheckJob>, job: CheckJob, share: FairShare, counted?: number): Promise<void> {
  const priority = counted ?? (await fairPriority(share.redis, share.keys, job.installationId, Date.now()));
  await queue.add(job.trigger, job, {
    delay: job.branch ? DEBOUNCE_MS : 0,
    priority,
    deduplication: { id: dedupeKeyOf(job), replace: true, keepLastIfActive: true },
  });
}

/**
 * Uninstall: the removed repositories' jobs still queued are removed, since they could only
 * fail on the revoked installation. A job the per-installation cap sent back to Redis
 * (installation-slots.ts) waits in the delayed set, so one still queued at uninstall is likelier
 * than it used to be. One paged pass over the queue's waiting sets for all of them: uninstalls
 * are rare, and this costs a scan.
 */
export async function removeQueuedJobs(queue: Queue<CheckJob>, installationId: number, repoIds: readonly number[], page = 500): Promise<number> {
  const repos = new Set(repoIds);
  let removed = 0;
  if (repos.size === 0) return removed;
  for (const state of ["delayed", "prioritized", "waiting"] as const) {
    for (let start = 0; ; start += page) {
      const jobs = await queue.getJobs([state], start, start + page - 1, true);
      if (jobs.length === 0) break;
      for (const job of jobs) {
        if (job?.data?.installationId !== installationId || !repos.has(job.data.repoId)) continue;
        if (await job.remove().then(() => true, () => false)) {
          removed++;
          start--; // the rest of the set moved up by one
        }
      }
    }
  }
  return removed;
}
