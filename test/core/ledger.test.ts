import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ENGINE_VERSION } from "../../src/core/engine-version.js";
import { sha256 } from "../../src/core/git-blob-sha.js";
import {
  bodyOf,
  canonicalJson,
  entryFromVerdict,
  entryWithoutVerdict,
  formatAnchor,
  genesisHash,
  hashEntry,
  LedgerKey,
  ledgerEntrySchema,
  parseAnchor,
  sealEntry,
  sealer,
  signEntry,
  verifyChain,
  type LedgerEntry,
  type LedgerMeta,
  type StoredEntry,
} from "../../src/core/ledger.js";
import { consoleLines, POLICY, verdictOf } from "../github/check-outcomes.js";
import { OTHER_KEY, sampleChain, sampleRecord, TEST_KEY, TEST_KEY_TEXT } from "../helpers/ledger-fixtures.js";

const REPO = 4242;
const stored = (e: LedgerEntry, i: number): StoredEntry => ({ streamId: `${1_700_000_000_000 + i}-0`, json: JSON.stringify(e) });

describe("canonicalJson", () => {
  it("sorts keys at every depth, writes no whitespace, and ignores insertion order", () => {
    const a = canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: "x" } });
    const b = canonicalJson({ a: { c: "x", d: [3, { y: null, z: true }] }, b: 1 });
    expect(a).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
    expect(b).toBe(a);
  });

  it("is stable through a parse → serialise round trip, including escapes and odd numbers", () => {
    const value = { s: 'quote " backslash \\ newline \n tab \t é 𝄞 \u0001', n: [0, -0, 1e21, 0.1, -12.5, 2 ** 53], k: { "é": 1, e: 2, E: 3, "": 4 } };
    const once = canonicalJson(value);
    expect(canonicalJson(JSON.parse(once))).toBe(once);
    expect(once).toContain('"n":[0,0,1e+21,0.1,-12.5,9007199254740992]');
    expect(once).toContain('"k":{"":4,"E":3,"e":2,"é":1}');
  });

  it("skips undefined members like JSON does, and rejects what JSON would silently change", () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n: non-finite/);
    expect(() => canonicalJson([1, undefined])).toThrow(/\$\[1\]: undefined/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/not a plain object \(Date\)/);
    expect(() => canonicalJson({ b: 1n })).toThrow(/unsupported bigint/);
  });
});

describe("sealing", () => {
  it("hash = sha256(prevHash + canonical(body)), sig = HMAC(key, hash), and the stored text is canonical", () => {
    const head = { seq: 41, hash: "a".repeat(64) };
    const { entry, json } = sealer(sampleRecord(42), TEST_KEY)(head);
    expect(entry.seq).toBe(42);
    expect(entry.prevHash).toBe(head.hash);
    expect(entry.hash).toBe(sha256(head.hash + canonicalJson(bodyOf(entry))));
    expect(entry.hash).toBe(hashEntry(head.hash, bodyOf(entry)));
    expect(entry.sig).toBe(signEntry(entry.hash, TEST_KEY));
    expect(entry.keyId).toBe(TEST_KEY.id);
    expect(json).toBe(canonicalJson(entry));
    expect(sealEntry(sampleRecord(42), head, TEST_KEY)).toEqual(entry);
    expect(ledgerEntrySchema.parse(JSON.parse(json))).toEqual(entry);
  });

  it("starts each repository's chain from its own genesis", () => {
    expect(genesisHash(1)).not.toBe(genesisHash(2));
    expect(genesisHash(REPO)).toMatch(/^[0-9a-f]{64}$/);
    expect(sampleChain(1).entries[0]!.prevHash).toBe(genesisHash(REPO));
  });

  it("never shows the key: not in strings, JSON, inspect, or errors", () => {
    const leaks = [String(TEST_KEY), JSON.stringify({ key: TEST_KEY }), inspect(TEST_KEY), inspect({ nested: TEST_KEY }, { depth: 5, showHidden: true })];
    for (const l of leaks) {
      expect(l).not.toContain(TEST_KEY_TEXT);
      expect(l).toContain(TEST_KEY.id);
    }
    expect(() => new LedgerKey(Buffer.from("short-secret"))).toThrow(/at least 32 bytes, got 12/);
    expect(() => new LedgerKey(Buffer.from("short-secret"))).not.toThrow(/short-secret/);
  });

  it("parses anchors as printed by check runs and verify", () => {
    const hash = "c".repeat(64);
    expect(parseAnchor(formatAnchor({ seq: 12, hash }))).toEqual({ seq: 12, hash });
    expect(parseAnchor(` ${hash.toUpperCase()} `)).toEqual({ seq: null, hash });
    expect(parseAnchor(`0:${hash}`)).toBeNull();
    expect(parseAnchor("12:abc")).toBeNull();
  });
});

describe("entryFromVerdict", () => {
  const meta = (files: LedgerMeta["policyFiles"]): LedgerMeta => ({
    at: new Date("2026-11-26T10:00:00Z"),
    deliveryId: "d-1",
    trigger: "pull_request",
    installationId: 7,
    repoId: REPO,
    repoName: "acme/app",
    ref: "refs/heads/claude/fix",
    headSha: "1".repeat(40),
    baseSha: "2".repeat(40),
    policyFiles: files,
    checkRun: { id: 99, conclusion: "failure" },
    timings: { list: 3.4, evaluate: 12.6, bogus: Number.NaN },
  });
  const waived = `${POLICY}waivers:\n  - invariant: no-console\n    path: "src/legacy/**"\n    reason: migrating\n    owner: "@acme/platform"\n    expires: "2099-01-01"\n`;
  const tree = (extra: Record<string, string> = {}) => ({ "invariants/rules.yml": waived, "src/a.ts": consoleLines(2), "src/legacy/old.ts": consoleLines(3), "src/b.ts": "debugger\n", ...extra });

  it("binds actor, policy, per-invariant results, blocking findings, waivers and timings", async () => {
    const o = await verdictOf(tree(), { base: { "invariants/rules.yml": waived, "src/legacy/old.ts": consoleLines(3) }, actor: { sender: { login: "claude[bot]", id: 209825114, type: "Bot" } } });
    const r = entryFromVerdict(o.verdict, meta(o.policy.files));
    expect(r.actor).toMatchObject({ class: "agent", agent: "claude-code", signal: "sender", forgeable: false });
    // The files given must be the ones the digest was computed from (compile.ts).
    expect(r.policy!.digest).toBe(sha256(JSON.stringify({ engine: ENGINE_VERSION, files: r.policy!.files })));
    expect(r.policy!.engine).toBe(ENGINE_VERSION);
    const byId = Object.fromEntries(r.results.map((x) => [x.invariant, x]));
    expect(byId["no-console"]).toMatchObject({ status: "fail", enforcement: "block", counts: { introduced: 2, waived: 3 } });
    expect(byId["no-debugger"]).toMatchObject({ status: "warn", coverage: { unit: "files", matched: 3 } });
    expect(r.blockingTotal).toBe(2);
    expect(r.blocking.map((b) => `${b.path}:${b.line}`)).toEqual(["src/a.ts:1", "src/a.ts:2"]);
    expect(r.waiversApplied).toEqual([{ invariant: "no-console", path: "src/legacy/**", owner: "@acme/platform", expires: "2099-01-01", used: 3 }]);
    expect(r.timings).toEqual({ list: 3, evaluate: 13 });
    expect(r.outcome).toBe("verdict");
  });

  it("gives the same evidence digest for the same findings and another when the evidence changes", async () => {
    const a = entryFromVerdict((await verdictOf(tree())).verdict, meta(null));
    const b = entryFromVerdict((await verdictOf(tree())).verdict, meta(null));
    const c = entryFromVerdict((await verdictOf(tree({ "src/a.ts": consoleLines(3) }))).verdict, meta(null));
    const digest = (r: typeof a, id: string) => r.results.find((x) => x.invariant === id)!.evidenceDigest;
    expect(digest(a, "no-console")).toBe(digest(b, "no-console"));
    expect(digest(c, "no-console")).not.toBe(digest(a, "no-console"));
    expect(digest(c, "no-debugger")).toBe(digest(a, "no-debugger"));
  });

  it("records conclusions reached without a verdict", () => {
    const r = entryWithoutVerdict("invalid-policy", meta(null));
    expect(r).toMatchObject({ outcome: "invalid-policy", policy: null, results: [], checkRun: { id: 99, conclusion: "failure" } });
  });

  it("names a run posted once, after the entry, by its external id", () => {
    const r = entryWithoutVerdict("error", { ...meta(null), checkRun: { id: null, externalId: "plumbline:4242:" + "1".repeat(40), conclusion: "failure" } });
    expect(r.checkRun).toEqual({ id: null, externalId: "plumbline:4242:" + "1".repeat(40), conclusion: "failure" });
  });
});

describe("verifyChain", () => {
  const chain = () => sampleChain(10);
  const verify = (s: readonly StoredEntry[], opts = {}) => verifyChain(s, TEST_KEY, { repoId: REPO, ...opts });

  it("accepts an intact chain and reports its head", () => {
    const { entries, stored: s } = chain();
    const r = verify(s, { expectedHead: { seq: 10, hash: entries[9]!.hash } });
    expect(r).toEqual({ ok: true, checked: 10, firstBad: null, head: { seq: 10, hash: entries[9]!.hash, streamId: s[9]!.streamId } });
    expect(verify([])).toEqual({ ok: true, checked: 0, firstBad: null, head: null });
  });

  it("names an edited entry", () => {
    const { entries, stored: s } = chain();
    s[4] = stored({ ...entries[4]!, checkRun: { id: 1005, conclusion: "failure" } }, 4);
    expect(verify(s)).toMatchObject({ ok: false, checked: 4, firstBad: { seq: 5, position: 5, streamId: s[4]!.streamId, reason: "edited", detail: expect.stringContaining("no longer matches its hash") } });
    expect(verify(s).head).toMatchObject({ seq: 4 });
  });

  it("names an edit whose hash was recomputed without the key", () => {
    const { entries, stored: s } = chain();
    const forged = { ...entries[5]!, blocking: [], blockingTotal: 0 };
    expect(entries[5]!.blockingTotal).toBe(1);
    s[5] = stored({ ...forged, hash: hashEntry(forged.prevHash, bodyOf(forged)) }, 5);
    expect(verify(s).firstBad).toMatchObject({ seq: 6, reason: "edited", detail: expect.stringContaining("forged without the key") });
  });

  it("names the entry after a deletion, and a deleted first entry", () => {
    const { stored: s } = chain();
    const gap = [...s.slice(0, 3), ...s.slice(5)];
    expect(verify(gap).firstBad).toMatchObject({ seq: 6, position: 4, streamId: s[5]!.streamId, reason: "deleted/gap", detail: "seqs 4–5 are missing before it" });
    expect(verify(s.slice(1)).firstBad).toMatchObject({ seq: 2, position: 1, reason: "deleted/gap", detail: "seq 1 is missing before it" });
  });

  it("names reordered entries: a swap, a move, a replay", () => {
    const { stored: s } = chain();
    const swapped = [...s];
    [swapped[2], swapped[3]] = [s[3]!, s[2]!];
    expect(verify(swapped).firstBad).toMatchObject({ seq: 4, position: 3, streamId: s[3]!.streamId, reason: "reordered" });
    const moved = [s[0]!, s[1]!, s[7]!, ...s.slice(2, 7), ...s.slice(8)];
    expect(verify(moved).firstBad).toMatchObject({ seq: 8, position: 3, reason: "reordered", detail: "seq 3 appears later, at position 4" });
    const replayed = [...s.slice(0, 6), s[2]!, ...s.slice(6)];
    expect(verify(replayed).firstBad).toMatchObject({ seq: 3, position: 7, reason: "reordered", detail: "seq 3 comes after seq 6" });
  });

  it("detects a truncated tail only against an outside anchor", () => {
    const { entries, stored: s } = chain();
    const cut = s.slice(0, 7);
    expect(verify(cut).ok).toBe(true);
    expect(verify(cut, { expectedHead: { seq: 10, hash: entries[9]!.hash } }).firstBad).toMatchObject({ seq: 8, streamId: null, position: 0, reason: "truncated", detail: expect.stringContaining("ends at seq 7") });
    expect(verify(cut, { expectedHead: { seq: null, hash: entries[8]!.hash } }).firstBad).toMatchObject({ seq: 8, reason: "truncated" });
    expect(verify(cut, { anchors: [{ seq: 5, hash: entries[4]!.hash }], expectedHead: { seq: 7, hash: entries[6]!.hash } }).ok).toBe(true);
  });

  it("catches a chain rebuilt with the key that no longer matches an anchor", () => {
    const original = chain();
    const rebuilt = sampleChain(10);
    const head = { seq: 5, hash: original.entries[4]!.hash };
    // An insider re-sealing from seq 5 on produces a consistent chain; the anchor still disagrees.
    const resealed = sealEntry({ ...sampleRecord(5), deliveryId: "rewritten" }, { seq: 4, hash: rebuilt.entries[3]!.hash }, TEST_KEY);
    const s = [...rebuilt.stored.slice(0, 4), stored(resealed, 4)];
    expect(verify(s, { expectedHead: head }).firstBad).toMatchObject({ seq: 5, reason: "edited", detail: expect.stringContaining("differs from the anchor") });
  });

  it("reports a wrong key as bad-signature on the first entry", () => {
    const { stored: s } = chain();
    expect(verifyChain(s, OTHER_KEY, { repoId: REPO }).firstBad).toMatchObject({ seq: 1, position: 1, reason: "bad-signature", detail: `signed by key ${TEST_KEY.id}, not by the key given (${OTHER_KEY.id})` });
  });

  it("names malformed entries: broken JSON, not an object, a missing chain field", () => {
    const { entries, stored: s } = chain();
    const broken = [...s];
    broken[5] = { streamId: s[5]!.streamId, json: s[5]!.json.slice(0, 40) };
    expect(verify(broken).firstBad).toMatchObject({ seq: 6, position: 6, reason: "malformed", detail: "it is not valid JSON" });
    broken[5] = { streamId: s[5]!.streamId, json: "[1,2]" };
    expect(verify(broken).firstBad).toMatchObject({ seq: 6, reason: "malformed", detail: "it is not a JSON object" });
    const { sig: _s, ...unsigned } = entries[5]!;
    broken[5] = { streamId: s[5]!.streamId, json: JSON.stringify(unsigned) };
    expect(verify(broken).firstBad).toMatchObject({ seq: 6, reason: "malformed", detail: "its chain field `sig` is missing or not well formed" });
  });

  it("calls an added or removed member of a signed entry an edit (the hash covers every member)", () => {
    const { entries, stored: s } = chain();
    const added = [...s];
    added[5] = stored({ ...entries[5]!, note: "approved by ops" } as LedgerEntry, 5);
    expect(verify(added).firstBad).toMatchObject({ seq: 6, reason: "edited" });
    const { waiversApplied: _w, ...removed } = entries[5]!;
    added[5] = stored(removed as LedgerEntry, 5);
    expect(verify(added).firstBad).toMatchObject({ seq: 6, reason: "edited" });
  });

  it("rejects another repository's valid chain", () => {
    const foreign = sampleChain(3, TEST_KEY, { installationId: 7, repoId: 999 });
    expect(verify(foreign.stored).firstBad).toMatchObject({ seq: 1, reason: "edited", detail: "it belongs to repository 999, not 4242" });
    expect(verifyChain(foreign.stored, TEST_KEY).ok).toBe(true);
  });
});
