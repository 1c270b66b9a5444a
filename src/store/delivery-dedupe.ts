import type { Redis } from "ioredis";
import type { RedisKeys } from "./redis-keys.js";

/** GitHub allows manual redelivery for 3 days; remember ids longer than that, with margin. */
export const DELIVERY_TTL_SECONDS = 8 * 24 * 3600;

/**
 * Claims a delivery id once (SET NX). The claim is released when enqueueing fails, so a
 * redelivery of a delivery that was answered 5xx is processed, never swallowed.
 */
export function deliveryDedupe(redis: Redis, keys: RedisKeys) {
  return {
    async claim(deliveryId: string): Promise<boolean> {
      return (await redis.set(keys.delivery(deliveryId), String(Date.now()), "EX", DELIVERY_TTL_SECONDS, "NX")) === "OK";
    },
    async release(deliveryId: string): Promise<void> {
      await redis.del(keys.delivery(deliveryId));
    },
  };
}
export type DeliveryDedupe = ReturnType<typeof deliveryDedupe>;
