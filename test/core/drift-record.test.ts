import { describe, expect, it } from "vitest";
import { evaluationRecordSchema, MAX_FINGERPRINTS } from "../../src/core/decay-record.js";
import { auditIntervalMs, decayPolicyFor, decayPolicyOf, mergeRecordOf, recordOf, waiverReportsOf, type RecordMeta } from "../../src/core/drift.js";
import { consoleLines, verdictOf } from "../github/check-outcomes.js";
import { audit, H, inv, merge, push, shaOf } from "./drift-fixtures.js";

const POLICY = `version: 1
invariants:
  - id: no-console
    kind: content
    why: Logs go through the logger
    files: ["src/**/*.ts"]
    forbid: 'console\\.log\\('
  - id: no-vendor
    kind: content
    why: Vendored code is gone
    files: ["vendor/**"]
    forbid: 'x'
waivers:
  - { invariant: no-console, path: src/legacy.ts, reason: r, owner: "@a", expires: 2099-01-01 }
  - { invariant: no-console, path: src/clean.ts, reason: r, owner: "@a", expires: 2099-01-01 }
  - { invariant: no-console, path: "src/removed/**", reason: r, owner: "@a", expires: 2099-01-01 }
  - { invariant: no-console, path: src/old.ts, reason: r, owner: "@a", expires: 2020-01-01 }
settings:
  auditInterval: 2h
`;

const tree = {
  "invariants/p.yml": POLICY,
  "src/legacy.ts": consoleLines(2),
  "src/clean.ts": "export const ok = 1;\n",
  "src/old.ts": consoleLines(1),
  "src/new.ts": consoleLines(1),
};

const meta = (paths: string[] | null): RecordMeta => ({ at: new Date("2026-11-26T00:00:00Z"), sha: shaOf("head"), ref: "refs/heads/main", branch: "main", trigger: "push", defaultBranch: true, auditInterval: "2h", paths });

describe("recordOf", () => {
  it("keeps counts, coverage and the open fingerprints, and classifies every waiver", async () => {
    const { verdict } = await verdictOf(tree, { base: { ...tree, "src/new.ts": "export {};\n" } });
    const record = recordOf(verdict, waiverReportsOf(verdict), meta(Object.keys(tree)));
    const noConsole = record.invariants.find((i) => i.id === "no-console")!;
    expect(noConsole).toMatchObject({ kind: "content", enforcement: "block", status: "fail", coverage: { unit: "files", matched: 4 }, counts: { introduced: 1, persisting: 1, waived: 2 }, fingerprintsTruncated: false });
    expect(noConsole.fingerprints).toHaveLength(2);
    expect(noConsole.fingerprints).toEqual(verdict.findings.filter((f) => f.invariant === "no-console" && !f.waiver).map((f) => f.fingerprint).sort());
    expect(record.invariants.find((i) => i.id === "no-vendor")).toMatchObject({ coverage: { matched: 0 }, fingerprints: [] });
    expect(Object.fromEntries(record.waivers.map((w) => [w.path, [w.state, w.used]]))).toEqual({
      "src/legacy.ts": ["active", 2],
      "src/clean.ts": ["unneeded", 0],
      "src/removed/**": ["orphaned", 0],
      "src/old.ts": ["expired", 0],
    });
    expect(record).toMatchObject({ v: 1, sha: shaOf("head"), actor: null, defaultBranch: true, auditIntervalMs: 2 * H, conclusion: "failure", policyDigest: verdict.policyDigest });
    expect(record.merged).toBeUndefined();
    const { policy } = await verdictOf(tree);
    expect(decayPolicyFor(policy)).toEqual({ invariants: [{ id: "no-console", auditIntervalMs: 2 * H }, { id: "no-vendor", auditIntervalMs: 2 * H }] });
    expect(evaluationRecordSchema.parse(JSON.parse(JSON.stringify(record)))).toEqual(record);
  });

  it("without the tree's paths, an orphaned waiver stays as evaluate reported it", async () => {
    const { verdict } = await verdictOf(tree);
    const record = recordOf(verdict, waiverReportsOf(verdict), meta(null));
    expect(record.waivers.find((w) => w.path === "src/removed/**")?.state).toBe("unneeded");
  });

  it("bounds the fingerprints of a noisy invariant and says so", async () => {
    const { verdict } = await verdictOf({ "invariants/p.yml": POLICY, "src/noisy.ts": consoleLines(MAX_FINGERPRINTS + 20) });
    const noConsole = recordOf(verdict, [], meta(null)).invariants.find((i) => i.id === "no-console")!;
    expect(noConsole.fingerprints).toHaveLength(MAX_FINGERPRINTS);
    expect(noConsole.fingerprintsTruncated).toBe(true);
    expect(noConsole.counts.present).toBe(MAX_FINGERPRINTS + 20);
  });

  it("records the actor's class and agent only", async () => {
    const { verdict } = await verdictOf(tree, { base: tree, actor: { sender: { login: "claude[bot]", id: 209825114, type: "Bot" } } });
    expect(recordOf(verdict, [], meta(null)).actor).toEqual({ class: "agent", agent: "claude-code" });
  });
});

describe("mergeRecordOf", () => {
  it("is a marker without invariants, failing when the check blocked", () => {
    const m = mergeRecordOf({ at: new Date(0), prNumber: 3, sha: shaOf("x"), branch: "codex/y", checkConclusion: "failure", actor: null, policyDigest: "p", auditIntervalMs: H });
    expect(m).toMatchObject({ trigger: "merge", ref: "refs/pull/3/head", invariants: [], conclusion: "failure", merged: { prNumber: 3, checkConclusion: "failure" } });
    expect(evaluationRecordSchema.parse(m)).toEqual(m);
  });
});

describe("decayPolicyOf", () => {
  it("takes the invariants and interval of the latest default-branch evaluation", () => {
    const history = [audit(0, [inv("old")]), audit(1, [inv("a"), inv("b")], { auditIntervalMs: 2 * H }), push(2, "f", null, [inv("z")]), merge(3, 1, shaOf("m"), "success")];
    expect(decayPolicyOf(history)).toEqual({ invariants: [{ id: "a", auditIntervalMs: 2 * H }, { id: "b", auditIntervalMs: 2 * H }] });
    expect(decayPolicyOf([])).toEqual({ invariants: [] });
  });
});

describe("auditIntervalMs", () => {
  it.each([["30m", 30 * 60_000], ["6h", 6 * H], ["1d", 24 * H], ["0h", 60_000]])("%s", (s, ms) => expect(auditIntervalMs(s)).toBe(ms));
  it("rejects what the schema rejects", () => expect(() => auditIntervalMs("6 hours")).toThrow(RangeError));
});
