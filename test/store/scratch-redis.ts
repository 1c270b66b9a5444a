import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { redisKeys, type RedisKeys } from "../../src/store/redis-keys.js";

/** A connection to the test Redis plus a key prefix no other test uses; `drop()` deletes its keys. */
export interface ScratchRedis {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  drop(): Promise<void>;
}

export function scratchRedis(): ScratchRedis {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  const keys = redisKeys(`pltest-${randomBytes(6).toString("hex")}`);
  return {
    redis,
    keys,
    async drop() {
      let cursor = "0";
      do {
        const [next, found] = await redis.scan(cursor, "MATCH", `${keys.prefix}:*`, "COUNT", 1000);
        if (found.length) await redis.del(...found);
        cursor = next;
      } while (cursor !== "0");
      redis.disconnect();
    },
  };
}
