import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitBlobSha } from "../../src/core/git-blob-sha.js";
import type { ModuleRecord } from "../../src/snapshot/module-record.js";
import { createMemoryRecordCache, recordKey } from "../../src/snapshot/record-cache.js";
import { loadRecordCache } from "../../src/store/redis-record-cache.js";
import { scratchRedis, type ScratchRedis } from "./scratch-redis.js";

const record: ModuleRecord = {
  specifiers: [{ specifier: "./b.js", syntax: "import", line: 1, column: 20, typeOnly: false, bindings: [{ name: "b", typeOnly: false }] }],
  localExports: ["a"],
  reexports: [],
  problems: [],
};

describe("loadRecordCache", () => {
  let s: ScratchRedis;
  beforeEach(() => {
    s = scratchRedis();
  });
  afterEach(async () => {
    await s.drop();
  });
  const scope = { installationId: 1, repoId: 2 };
  const sha = gitBlobSha("import { b } from './b.js'; export const a = b;\n");

  it("writes only on flush, with a TTL, and preloads on the next run", async () => {
    const first = await loadRecordCache(s.redis, s.keys, scope, [sha], { ttlSeconds: 600 });
    expect(first.loaded).toBe(0);
    expect(first.get(recordKey(sha))).toBeUndefined();
    first.set(recordKey(sha), record);
    expect(await s.redis.exists(s.keys.record(scope, recordKey(sha)))).toBe(0);
    await first.flush();
    const ttl = await s.redis.ttl(s.keys.record(scope, recordKey(sha)));
    expect(ttl).toBeGreaterThan(500);
    expect(ttl).toBeLessThanOrEqual(600);

    const second = await loadRecordCache(s.redis, s.keys, scope, [sha, gitBlobSha("other")]);
    expect(second.loaded).toBe(1);
    expect(second.get(recordKey(sha))).toEqual(record);
    expect((await loadRecordCache(s.redis, s.keys, { installationId: 9, repoId: 2 }, [sha])).loaded).toBe(0);
  });

  it("asks Redis only for the records a longer-lived memory lacks, and fills that memory", async () => {
    const other = gitBlobSha("export const other = 1;\n");
    const seed = await loadRecordCache(s.redis, s.keys, scope, []);
    seed.set(recordKey(sha), record);
    seed.set(recordKey(other), { ...record, localExports: ["other"] });
    await seed.flush();

    const memory = createMemoryRecordCache();
    memory.set(recordKey(sha), record);
    const mget = s.redis.mget.bind(s.redis);
    const asked: string[] = [];
    s.redis.mget = ((...keys: string[]) => (asked.push(...keys), mget(...keys))) as typeof s.redis.mget;
    const cache = await loadRecordCache(s.redis, s.keys, scope, [sha, other], { memory });
    expect(asked).toEqual([s.keys.record(scope, recordKey(other))]);
    expect(cache.loaded).toBe(1);
    expect(cache.get(recordKey(sha))).toEqual(record);
    expect(memory.get(recordKey(other))).toEqual({ ...record, localExports: ["other"] });

    const parsed = gitBlobSha("export {};\n");
    cache.set(recordKey(parsed), record);
    expect(memory.get(recordKey(parsed))).toEqual(record);
    await cache.flush();
    expect(await s.redis.exists(s.keys.record(scope, recordKey(parsed)))).toBe(1);
  });

  it("ignores a value that does not decode", async () => {
    await s.redis.set(s.keys.record(scope, recordKey(sha)), "{not json", "EX", 60);
    const cache = await loadRecordCache(s.redis, s.keys, scope, [sha]);
    expect(cache.loaded).toBe(0);
  });
});
