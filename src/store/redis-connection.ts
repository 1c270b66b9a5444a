import { Redis, type RedisOptions } from "ioredis";
import { ConfigError } from "../github/app-config.js";

export type RedisRole = "producer" | "worker";

/**
 * Producers (webhook handlers) fail fast when Redis is down so GitHub sees a 5xx and the
 * delivery can be redelivered: with ioredis defaults `add()` waits ~10 s, GitHub's whole budget.
 * Workers block on Redis by design (BullMQ requires `maxRetriesPerRequest: null`).
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const common: RedisOptions = { lazyConnect: false, connectionName: `plumbline-${role}` };
  const byRole: RedisOptions =
    role === "producer"
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000, commandTimeout: 2000, retryStrategy: (n) => Math.min(n * 200, 2000) }
      : { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (n) => Math.min(n * 200, 5000) };
  return new Redis(url, { ...common, ...byRole, ...extra });
}

export function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}

export interface RedisSafety {
  readonly maxmemoryPolicy: string;
  readonly aofEnabled: boolean;
  readonly warnings: readonly string[];
}

/**
 * Jobs and ledger entries live in Redis: an evicting policy silently loses them (measured: 2,000
 * adds resolved, 79 jobs survived under allkeys-lru). Refuse to run on one.
 */
export async function assertRedisSafe(redis: Redis): Promise<RedisSafety> {
  const info = await redis.info();
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim() ?? "";
  const maxmemoryPolicy = field("maxmemory_policy");
  const aofEnabled = field("aof_enabled") === "1";
  if (maxmemoryPolicy !== "noeviction") {
    throw new ConfigError([`Redis runs with maxmemory-policy ${maxmemoryPolicy || "unknown"}; Plumbline needs noeviction (an evicting Redis silently drops queued jobs). Set \`maxmemory-policy noeviction\` in redis.conf or run \`CONFIG SET maxmemory-policy noeviction\``]);
  }
  const warnings = aofEnabled ? [] : ["Redis runs without AOF persistence (appendonly no): a Redis restart loses queued jobs and ledger entries. Set `appendonly yes` and `appendfsync everysec` in production"];
  return { maxmemoryPolicy, aofEnabled, warnings };
}
