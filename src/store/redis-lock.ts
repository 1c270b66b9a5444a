import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

export interface LockOptions {
  /** How long the lock outlives a holder that died without releasing it. */
  readonly ttlMs: number;
  /** How long to wait for another holder before giving up with an error. */
  readonly waitMs: number;
  /** Named in the error when the wait runs out ("the check run of acme/app@abc123"). */
  readonly what: string;
}

export class LockTimeoutError extends Error {}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * Runs `fn` while holding `key` (SET NX PX with a random token), across processes. The holder
 * extends the lock every ttl/3 while `fn` runs, so a slow holder (GitHub's `retry-after` can be
 * a minute) never loses it to a second writer; a holder that died frees it after `ttlMs`.
 * Released only by its holder: an expired lock may be someone else's by then.
 */
export async function withRedisLock<T>(redis: Redis, key: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const token = randomBytes(16).toString("hex");
  const deadline = Date.now() + opts.waitMs;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    if ((await redis.set(key, token, "PX", opts.ttlMs, "NX")) === "OK") break;
    if (Date.now() >= deadline) throw new LockTimeoutError(`${opts.what} is locked by another worker for more than ${opts.waitMs} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
  const heartbeat = setInterval(() => void redis.eval(EXTEND, 1, key, token, opts.ttlMs).catch(() => undefined), Math.max(10, Math.floor(opts.ttlMs / 3)));
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
