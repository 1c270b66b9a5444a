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
