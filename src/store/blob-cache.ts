import type { Redis } from "ioredis";
import { gitBlobSha } from "../core/git-blob-sha.js";
import type { RedisKeys, RepoScope } from "./redis-keys.js";

/** File contents by git blob SHA, per tenant (a blob id is public knowledge, its content is not). */
export interface BlobCache {
  getMany(scope: RepoScope, shas: readonly string[]): Promise<Map<string, Uint8Array>>;
  setMany(scope: RepoScope, entries: ReadonlyMap<string, Uint8Array>): Promise<void>;
}

export interface RedisBlobCacheOptions {
  /** Redis runs `noeviction`, so every entry expires. Default 7 days. */
  readonly ttlSeconds?: number;
  /** Bigger blobs are not cached (refetching one blob is cheap; holding it in Redis is not). Default 256 KiB. */
  readonly maxEntryBytes?: number;
}

/** Keys per MGET / pipeline: large batches of ~256 KiB values would block Redis and the event loop. */
const BATCH = 200;

/**
 * The TTL is fixed from the write, not refreshed on reads: MGET cannot touch TTLs, and a
 * repository whose cache expires wholesale pays one tarball request to refill it, which is
 * cheaper than an EXPIRE per hit on every run.
 */
export function redisBlobCache(redis: Redis, keys: RedisKeys, opts: RedisBlobCacheOptions = {}): BlobCache {
  const ttl = opts.ttlSeconds ?? 7 * 24 * 3600;
  const maxEntryBytes = opts.maxEntryBytes ?? 256 * 1024;
  if (!(Number.isInteger(ttl) && ttl > 0)) throw new Error("redisBlobCache: ttlSeconds must be a positive integer");
  return {
    async getMany(scope, shas) {
      const unique = [...new Set(shas)];
      const out = new Map<string, Uint8Array>();
      for (let i = 0; i < unique.length; i += BATCH) {
        const batch = unique.slice(i, i + BATCH);
        const values = await redis.mgetBuffer(...batch.map((sha) => keys.blob(scope, sha)));
        batch.forEach((sha, j) => {
          const value = values[j];
          // A gate trusts nothing it has not checked: a damaged or foreign value is a miss.
          if (value && gitBlobSha(value) === sha) out.set(sha, value);
        });
      }
      return out;
    },
    async setMany(scope, entries) {
      const cacheable = [...entries].filter(([, data]) => data.length <= maxEntryBytes);
      for (let i = 0; i < cacheable.length; i += BATCH) {
        const pipeline = redis.pipeline();
        for (const [sha, data] of cacheable.slice(i, i + BATCH)) pipeline.set(keys.blob(scope, sha), Buffer.from(data.buffer, data.byteOffset, data.byteLength), "EX", ttl);
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([err]) => err);
        if (failed) throw failed[0];
      }
    },
  };
}
