import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LedgerKey, ledgerEntrySchema, type LedgerEntry } from "../../src/core/ledger.js";
import { INSECURE_DEV_KEY_ID, ledgerKeyFromEnv } from "../../src/store/ledger-key.js";
import { resolveLedgerRepo } from "../../src/store/ledger-repos.js";
import { appendEntry, findBySha, ledgerHead, readEntries, verifyLedger } from "../../src/store/ledger-store.js";
import { sampleRecord, shaOf, TEST_KEY, TEST_KEY_TEXT } from "../helpers/ledger-fixtures.js";
import { scratchRedis, type ScratchRedis } from "./scratch-redis.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("ledger store", () => {
  let s: ScratchRedis;
  const scope = { installationId: 7, repoId: 4242 };
  beforeEach(() => {
    s = scratchRedis();
  });
  afterEach(async () => {
    await s.drop();
  });

  const appendN = async (n: number, from = 1) => {
    const out = [];
    for (let i = from; i < from + n; i++) out.push(await appendEntry(s.redis, s.keys, scope, sampleRecord(i), TEST_KEY));
    return out;
  };
  const all = async () => {
    const out = [];
    for await (const e of readEntries(s.redis, s.keys, scope, { pageSize: 3 })) out.push(e);
    return out;
  };
  const verify = () => verifyLedger(s.redis, s.keys, scope, TEST_KEY, { pageSize: 4 });

  it("appends a linear chain, keeps the head and indexes, and reads it back in pages", async () => {
    const appended = await appendN(10);
    expect(appended.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(appended.every((a) => a.attempts === 1)).toBe(true);
    expect(await ledgerHead(s.redis, s.keys, scope)).toEqual({ seq: 10, hash: appended[9]!.hash, streamId: appended[9]!.streamId });
    const entries = await all();
    expect(entries.map((e) => e.streamId)).toEqual(appended.map((a) => a.streamId));
    expect((await verify()).ok).toBe(true);
    const some = [];
    for await (const e of readEntries(s.redis, s.keys, scope, { from: appended[3]!.streamId, count: 4, pageSize: 3 })) some.push(e.streamId);
    expect(some).toEqual(appended.slice(3, 7).map((a) => a.streamId));
    expect(await resolveLedgerRepo(s.redis, s.keys, "ACME/App", null)).toEqual({ ok: true, scope, via: "index" });
    expect(await resolveLedgerRepo(s.redis, s.keys, "4242", null)).toEqual({ ok: true, scope, via: "index" });
  });

  it("finds the entries of a commit, newest first, by full SHA or prefix", async () => {
    await appendN(3);
    const again = await appendEntry(s.redis, s.keys, scope, { ...sampleRecord(2), deliveryId: "rerun" }, TEST_KEY);
    const hits = await findBySha(s.redis, s.keys, scope, shaOf(2));
    expect(hits.map((h) => h.streamId)).toEqual([again.streamId, expect.any(String)]);
    expect(ledgerEntrySchema.parse(JSON.parse(hits[0]!.json)).deliveryId).toBe("rerun");
    // Every fixture SHA starts with zeros: a short prefix matches all four entries.
    expect(await findBySha(s.redis, s.keys, scope, "0000000")).toHaveLength(4);
    const distinct = await appendEntry(s.redis, s.keys, scope, { ...sampleRecord(5), headSha: `abcdef1${"0".repeat(33)}` }, TEST_KEY);
    expect((await findBySha(s.redis, s.keys, scope, "ABCDEF1")).map((h) => h.streamId)).toEqual([distinct.streamId]);
    expect(await findBySha(s.redis, s.keys, scope, "abcdef0")).toEqual([]);
    await expect(findBySha(s.redis, s.keys, scope, "zz*")).rejects.toThrow(/not a commit SHA/);
  });

  it("keeps one linear chain under 50 concurrent appenders × 200 entries on 10 connections", async () => {
    const conns = Array.from({ length: 10 }, () => new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }));
    try {
      const t0 = performance.now();
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, w) => {
          const mine = [];
          for (let j = 0; j < 200; j++) mine.push(await appendEntry(conns[w % conns.length]!, s.keys, scope, sampleRecord(w * 200 + j + 1), TEST_KEY));
          return mine;
        }),
      );
      const ms = performance.now() - t0;
      const flat = results.flat();
      expect(new Set(flat.map((r) => r.seq)).size).toBe(10_000);
      expect(Math.max(...flat.map((r) => r.seq))).toBe(10_000);
      const r = await verifyLedger(s.redis, s.keys, scope, TEST_KEY);
      expect(r).toMatchObject({ ok: true, checked: 10_000, firstBad: null, head: { seq: 10_000 } });
      const attempts = flat.map((x) => x.attempts).sort((a, b) => a - b);
      const bytes = Number(await s.redis.call("MEMORY", "USAGE", s.keys.ledger(scope), "SAMPLES", "0"));
      const index = Number(await s.redis.call("MEMORY", "USAGE", s.keys.ledgerBySha(scope), "SAMPLES", "0"));
      // Reported, not asserted: timings depend on the machine.
      console.log(
        `ledger: 10,000 appends by 50 writers on 10 connections in ${(ms / 1000).toFixed(1)} s (${Math.round(10_000 / (ms / 1000))}/s); ` +
          `CAS attempts median ${attempts[5000]}, p99 ${attempts[9900]}, max ${attempts[9999]}; stream ${Math.round(bytes / 10_000)} B/entry, sha index ${Math.round(index / 10_000)} B/entry`,
      );
    } finally {
      conns.forEach((c) => c.disconnect());
    }
  }, 180_000);

  it("retries with the head the script returns when another writer got there first", async () => {
    const other = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      await appendN(2);
      // Two connections race for seq 3: both succeed, one after a lost round.
      const [a, b] = await Promise.all([appendEntry(s.redis, s.keys, scope, sampleRecord(3), TEST_KEY), appendEntry(other, s.keys, scope, sampleRecord(4), TEST_KEY)]);
      expect([a.seq, b.seq].sort()).toEqual([3, 4]);
      expect((await verify()).ok).toBe(true);
    } finally {
      other.disconnect();
    }
  });

  it("refuses to start a second chain when the head key is gone, and a record for another repository", async () => {
    await appendN(2);
    await s.redis.del(s.keys.ledgerHead(scope));
    await expect(appendEntry(s.redis, s.keys, scope, sampleRecord(3), TEST_KEY)).rejects.toThrow(/head key is missing/);
    await expect(appendEntry(s.redis, s.keys, { installationId: 7, repoId: 1 }, sampleRecord(3), TEST_KEY)).rejects.toThrow(/cannot go to repository 1/);
  });

  describe("tampering in Redis", () => {
    /** Rewrites the stream in place (same ids, same head key), changing entries on the way. */
    const rewrite = async (change: (entries: { id: string; entry: LedgerEntry }[]) => { id: string; entry: LedgerEntry | string }[]) => {
      const current = (await all()).map((e) => ({ id: e.streamId!, entry: JSON.parse(e.json) as LedgerEntry }));
      const next = change(current);
      await s.redis.del(s.keys.ledger(scope));
      for (const { id, entry } of next) await s.redis.xadd(s.keys.ledger(scope), id, "e", typeof entry === "string" ? entry : JSON.stringify(entry));
    };

    it("XDEL in the middle: the entry after the hole is named", async () => {
      const a = await appendN(8);
      await s.redis.xdel(s.keys.ledger(scope), a[4]!.streamId);
      expect((await verify()).firstBad).toMatchObject({ seq: 6, streamId: a[5]!.streamId, reason: "deleted/gap" });
    });

    it("XDEL of the tail: the head key (written with every entry) says it was truncated", async () => {
      const a = await appendN(8);
      await s.redis.xdel(s.keys.ledger(scope), a[6]!.streamId, a[7]!.streamId);
      const r = await verify();
      expect(r.firstBad).toMatchObject({ seq: 7, streamId: null, reason: "truncated" });
      expect(r.head).toMatchObject({ seq: 6, hash: a[5]!.hash });
    });

    it("head key rolled back with the tail: only an outside anchor (the check run summary) catches it", async () => {
      const a = await appendN(8);
      await s.redis.xdel(s.keys.ledger(scope), a[7]!.streamId);
      await s.redis.hset(s.keys.ledgerHead(scope), "seq", 7, "hash", a[6]!.hash, "id", a[6]!.streamId);
      expect((await verify()).ok).toBe(true);
      const anchored = await verifyLedger(s.redis, s.keys, scope, TEST_KEY, { expectedHead: { seq: 8, hash: a[7]!.hash } });
      expect(anchored.firstBad).toMatchObject({ seq: 8, reason: "truncated" });
    });

    it("an entry rewritten in place is named as edited", async () => {
      const a = await appendN(6);
      await rewrite((es) => es.map((e, i) => (i === 2 ? { ...e, entry: { ...e.entry, actor: null } } : e)));
      expect((await verify()).firstBad).toMatchObject({ seq: 3, streamId: a[2]!.streamId, reason: "edited" });
    });

    it("two entries swapped keep their stream ids but not their order", async () => {
      const a = await appendN(6);
      await rewrite((es) => es.map((e, i) => (i === 3 ? { id: e.id, entry: es[4]!.entry } : i === 4 ? { id: e.id, entry: es[3]!.entry } : e)));
      expect((await verify()).firstBad).toMatchObject({ seq: 5, streamId: a[3]!.streamId, reason: "reordered" });
    });

    it("a corrupted entry is named as malformed", async () => {
      const a = await appendN(4);
      await rewrite((es) => es.map((e, i) => (i === 1 ? { id: e.id, entry: "{not json" } : e)));
      expect((await verify()).firstBad).toMatchObject({ seq: 2, streamId: a[1]!.streamId, reason: "malformed" });
    });

    it("a chain checked with another key fails on its first entry", async () => {
      await appendN(3);
      const other = new LedgerKey(Buffer.from("x".repeat(40)));
      expect((await verifyLedger(s.redis, s.keys, scope, other)).firstBad).toMatchObject({ seq: 1, reason: "bad-signature" });
    });
  });
});

describe("ledgerKeyFromEnv", () => {
  it("requires LEDGER_KEY in production, whatever the flags", () => {
    expect(() => ledgerKeyFromEnv({ NODE_ENV: "production" }, { insecureDevKey: true })).toThrow(/LEDGER_KEY is required in production/);
    expect(() => ledgerKeyFromEnv({ NODE_ENV: "production", PLUMBLINE_INSECURE_DEV_LEDGER_KEY: "1" })).toThrow(/required in production/);
  });

  it("never picks a random key silently: missing means an error unless the insecure key is asked for", () => {
    expect(() => ledgerKeyFromEnv({})).toThrow(/--insecure-dev-key/);
    const dev = ledgerKeyFromEnv({}, { insecureDevKey: true });
    expect(dev.id).toBe(INSECURE_DEV_KEY_ID);
    expect(ledgerKeyFromEnv({ PLUMBLINE_INSECURE_DEV_LEDGER_KEY: "1" }).id).toBe(dev.id);
  });

  it("rejects a short key without echoing it, and accepts a long one", () => {
    const short = "hunter2-but-longer";
    let message = "";
    try {
      ledgerKeyFromEnv({ LEDGER_KEY: short });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/too short \(18 bytes\)/);
    expect(message).not.toContain(short);
    expect(ledgerKeyFromEnv({ LEDGER_KEY: TEST_KEY_TEXT, NODE_ENV: "production" }).id).toBe(TEST_KEY.id);
  });
});
