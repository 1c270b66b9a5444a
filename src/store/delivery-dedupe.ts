import type { Redis } from "ioredis";
import type { RedisKeys } from "./redis-keys.js";

/** GitHub allows manual redelivery for 3 days; remember ids longer than that, with margin. */
export const DELIVERY_TTL_SECONDS = 8 * 24 * 3600;

/**
 * A claim not confirmed within this long belongs to a handler that died between claim and
 * enqueue (process killed, Redis lost the enqueue): GitHub's 10 s budget is long over.
 */
export const STALE_CLAIM_MS = 30_000;

/**
 * Values: `c:<ms>` claimed (enqueue in progress), `e:<ms>` enqueued. Older values (a bare
 * timestamp) count as enqueued. A claim is taken when the key is absent or holds a stale
 * unconfirmed claim, so a redelivery of a delivery whose handler died is processed, never
 * swallowed as a duplicate.
 */
const CLAIM_LUA = `
local v = redis.call('GET', KEYS[1])
if v and not (string.sub(v, 1, 2) == 'c:' and tonumber(string.sub(v, 3)) < tonumber(ARGV[2])) then
  return 0
end
redis.call('SET', KEYS[1], 'c:' .. ARGV[1], 'EX', ARGV[3])
return 1
`;

export type DeliveryState = "absent" | "claimed" | "enqueued";

/**
 * Claims a delivery id once. The claim is released when enqueueing fails (GitHub sees a 5xx
 * and the delivery can be redelivered) and confirmed once every job is in the queue.
 */
export function deliveryDedupe(redis: Redis, keys: RedisKeys, now: () => number = Date.now) {
  return {
    async claim(deliveryId: string): Promise<boolean> {
      const t = now();
      return (await redis.eval(CLAIM_LUA, 1, keys.delivery(deliveryId), String(t), String(t - STALE_CLAIM_MS), String(DELIVERY_TTL_SECONDS))) === 1;
    },
    async confirm(deliveryId: string): Promise<void> {
      await redis.set(keys.delivery(deliveryId), `e:${now()}`, "EX", DELIVERY_TTL_SECONDS);
    },
    async release(deliveryId: string): Promise<void> {
      await redis.del(keys.delivery(deliveryId));
    },
  };
}
export type DeliveryDedupe = ReturnType<typeof deliveryDedupe>;

/** What Redis remembers of a delivery (the redelivery job asks; `claimed` older than STALE_CLAIM_MS means lost). */
export async function deliveryState(redis: Redis, keys: RedisKeys, deliveryId: string, now: number): Promise<DeliveryState> {
  const v = await redis.get(keys.delivery(deliveryId));
  if (v === null) return "absent";
  if (v.startsWith("c:") && Number(v.slice(2)) < now - STALE_CLAIM_MS) return "claimed";
  return "enqueued";
}
