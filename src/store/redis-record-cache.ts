import type { Redis } from "ioredis";
import type { ModuleRecord } from "../snapshot/module-record.js";
import { createMemoryRecordCache, recordKey, type RecordCache } from "../snapshot/record-cache.js";
import { decodeRecord, encodedJson } from "../snapshot/record-codec.js";
import type { RedisKeys, RepoScope } from "./redis-keys.js";

export interface RedisRecordCache extends RecordCache {
  /** Records found in Redis by the load. */
  readonly loaded: number;
  /** Writes the records set since the load (or the last flush), each with the TTL. */
  flush(): Promise<void>;
}

export interface RedisRecordCacheOptions {
  /** Redis runs `noeviction`, so every record expires. Default 7 days. */
  readonly ttlSeconds?: number;
  /**
   * Records a long-lived caller already holds (a worker's memo of this repository): only the
   * blobs it lacks are fetched, and records parsed or loaded here are added to it.
   */
  readonly memory?: RecordCache;
}

const BATCH = 500;

/**
 * RecordCache is synchronous (`get`/`set` run inside the import-graph builder's hot loop, one
 * call per file), and a network round trip per file would cost more than parsing it. So the
 * records a revision can use are fetched up front, in a few MGETs keyed by the tree's blob
 * SHAs, and served from memory; records parsed during the run are kept in memory too and
 * written by `flush()` in one pipelined batch with a TTL once the snapshot is built. A record
 * depends only on its blob's bytes (the key includes EXTRACTOR_VERSION), so sharing records
 * between revisions of one repository is always safe; they are still scoped per tenant.
 * A value that does not decode is ignored (the file is parsed again).
 */
export async function loadRecordCache(redis: Redis, keys: RedisKeys, scope: RepoScope, blobShas: readonly string[], opts: RedisRecordCacheOptions = {}): Promise<RedisRecordCache> {
  const ttl = opts.ttlSeconds ?? 7 * 24 * 3600;
  if (!(Number.isInteger(ttl) && ttl > 0)) throw new Error("loadRecordCache: ttlSeconds must be a positive integer");
  const held = opts.memory;
  const wanted = [...new Set(blobShas)].map(recordKey).filter((key) => held?.get(key) === undefined);
  // Sized to hold everything this revision loads or parses: no eviction within one run.
  const memory = createMemoryRecordCache(Math.max(1024, wanted.length * 2));
  for (let i = 0; i < wanted.length; i += BATCH) {
    const batch = wanted.slice(i, i + BATCH);
    const values = await redis.mget(...batch.map((k) => keys.record(scope, k)));
    batch.forEach((key, j) => {
      const record = parseRecord(values[j]);
      if (record) {
        memory.set(key, record);
        held?.set(key, record);
      }
    });
  }
  const loaded = memory.size;
  const pending = new Map<string, ModuleRecord>();
  return {
    loaded,
    get: (key) => memory.get(key) ?? held?.get(key),
    set(key, record) {
      memory.set(key, record);
      held?.set(key, record);
      pending.set(key, record);
    },
    async flush() {
      const entries = [...pending];
      pending.clear();
      for (let i = 0; i < entries.length; i += BATCH) {
        const pipeline = redis.pipeline();
        for (const [key, record] of entries.slice(i, i + BATCH)) pipeline.set(keys.record(scope, key), encodedJson(record), "EX", ttl);
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([err]) => err);
        if (failed) throw failed[0];
      }
    },
  };
}

function parseRecord(value: string | null | undefined): ModuleRecord | null {
  if (!value) return null;
  try {
    return decodeRecord(JSON.parse(value));
  } catch {
    return null;
  }
}
