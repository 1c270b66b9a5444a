import type { Redis } from "ioredis";
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

export async function fairPriority(redis: Redis, keys: RedisKeys, installationId: number, now: number): Promise<number> {
  const key = keys.enqueued(installationId, Math.floor(now / PRIORITY_WINDOW_MS));
  const [[, rank]] = (await redis.multi().incr(key).pexpire(key, 2 * PRIORITY_WINDOW_MS).exec()) as [[Error | null, number], unknown];
  return Math.min(rank, MAX_PRIORITY);
}
