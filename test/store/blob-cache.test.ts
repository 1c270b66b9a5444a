import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitBlobSha } from "../../src/core/git-blob-sha.js";
import { redisBlobCache } from "../../src/store/blob-cache.js";
import { scratchRedis, type ScratchRedis } from "./scratch-redis.js";

const blob = (text: string): [string, Uint8Array] => {
  const data = Buffer.from(text);
  return [gitBlobSha(data), data];
};

describe("redisBlobCache", () => {
  let s: ScratchRedis;
  beforeEach(() => {
    s = scratchRedis();
  });
  afterEach(async () => {
    await s.drop();
  });

  const tenantA = { installationId: 1, repoId: 10 };
  const tenantB = { installationId: 2, repoId: 10 };

  it("round-trips bytes and sets a TTL on every entry", async () => {
    const cache = redisBlobCache(s.redis, s.keys, { ttlSeconds: 3600 });
    const a = blob("export const a = 1;\n");
    const bin = blob("\u0000\u0001binary\u00ff");
    await cache.setMany(tenantA, new Map([a, bin]));
    const got = await cache.getMany(tenantA, [a[0], bin[0], gitBlobSha("absent")]);
    expect([...got.keys()].sort()).toEqual([a[0], bin[0]].sort());
    expect(Buffer.from(got.get(a[0])!).equals(Buffer.from(a[1]))).toBe(true);
    for (const sha of [a[0], bin[0]]) {
      const ttl = await s.redis.ttl(s.keys.blob(tenantA, sha));
      expect(ttl).toBeGreaterThan(3500);
      expect(ttl).toBeLessThanOrEqual(3600);
    }
  });

  it("defaults to a 7-day TTL", async () => {
    const cache = redisBlobCache(s.redis, s.keys);
    const a = blob("x");
    await cache.setMany(tenantA, new Map([a]));
    expect(await s.redis.ttl(s.keys.blob(tenantA, a[0]))).toBeGreaterThan(7 * 24 * 3600 - 60);
  });

  it("never shows one tenant's entries to another, even for the same blob id", async () => {
    const cache = redisBlobCache(s.redis, s.keys);
    const a = blob("secret of tenant A\n");
    await cache.setMany(tenantA, new Map([a]));
    expect((await cache.getMany(tenantB, [a[0]])).size).toBe(0);
    expect((await cache.getMany({ installationId: 1, repoId: 11 }, [a[0]])).size).toBe(0);
    expect((await cache.getMany(tenantA, [a[0]])).size).toBe(1);
  });

  it("does not cache blobs over maxEntryBytes", async () => {
    const cache = redisBlobCache(s.redis, s.keys, { maxEntryBytes: 16 });
    const small = blob("small");
    const big = blob("x".repeat(17));
    await cache.setMany(tenantA, new Map([small, big]));
    expect(await s.redis.exists(s.keys.blob(tenantA, big[0]))).toBe(0);
    expect([...(await cache.getMany(tenantA, [small[0], big[0]])).keys()]).toEqual([small[0]]);
  });

  it("treats a value that does not hash to its key as a miss", async () => {
    const cache = redisBlobCache(s.redis, s.keys);
    const a = blob("genuine");
    await s.redis.set(s.keys.blob(tenantA, a[0]), "tampered", "EX", 60);
    expect((await cache.getMany(tenantA, [a[0]])).size).toBe(0);
  });

  it("reads and writes in batches larger than one MGET", async () => {
    const cache = redisBlobCache(s.redis, s.keys);
    const many = new Map(Array.from({ length: 450 }, (_, i) => blob(`file ${i}\n`)));
    await cache.setMany(tenantA, many);
    expect((await cache.getMany(tenantA, [...many.keys()])).size).toBe(450);
  });
});
