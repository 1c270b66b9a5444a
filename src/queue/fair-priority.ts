import type { ChainableCommander, Redis } from "ioredis";
import type { RedisKeys } from "../store/redis-keys.js";

/**
 * Fair share between installations without per-group queues (a BullMQ Pro feature). BullMQ
 * runs waiting jobs by priority, lowest number first, FIFO within one number. A check job's
 * priority is its rank among the jobs its installation enqueued in the current window: the
 * k-th job of every installation shares priority k, so waiting work is served round-robin
 * across installations, and one installation pushing 10,000 branches queues behind everyone
 * else's next job instead of in front of it. The counter expires on its own; nothing has to
 * be decremented when a job is replaced (newest wins), fails or is lost.
 */
export const PRIORITY_WINDOW_MS = 60_000;
/** BullMQ's largest priority (2²¹). */
export const MAX_PRIORITY = 2_097_152;
/**
 * Every check job gets a priority: BullMQ runs jobs without one before all prioritized jobs, so
 * a hundred audits falling due together would otherwise go ahead of every waiting push.
 * Scheduled audits are background work and wait for pushes; a re-evaluation of a run the
 * reconciler found stuck is urgent.
 */
export const AUDIT_PRIORITY = 100_000;
export const URGENT_PRIORITY = 1;

export async function fairPriority(redis: Redis, keys: RedisKeys, installationId: number, now: number): Promise<number> {
  const { multi, priorityOf } = countingMulti(redis, keys, installationId, now);
  return priorityOf(await multi.exec());
}

/**
 * A MULTI that starts with the count, for callers that send one anyway (the webhook handler adds
 * its pending-SHA writes), so the rank costs no round trip of its own; `priorityOf` reads the
 * priority from exec's replies (the count is the first of them).
 */
export function countingMulti(redis: Redis, keys: RedisKeys, installationId: number, now: number): { multi: ChainableCommander; priorityOf: (replies: Array<[Error | null, unknown]> | null) => number } {
  const key = keys.enqueued(installationId, Math.floor(now / PRIORITY_WINDOW_MS));
  const multi = redis.multi().incr(key).pexpire(key, 2 * PRIORITY_WINDOW_MS);
  return {
    multi,
    priorityOf: (replies) => {
      const [err, rank] = replies?.[0] ?? [new Error("the MULTI was discarded"), null];
      if (err) throw err;
      return Math.min(rank as number, MAX_PRIORITY);
    },
  };
}
