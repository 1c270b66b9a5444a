import { describe, expect, it } from "vitest";
import { detectDecay, type DecayOptions, type DecayPolicy, type DecaySignal, type DecayType, type EvaluationRecord } from "../../src/core/drift.js";
import { at, audit, H, inv, merge, push, shaOf, T0, waiver } from "./drift-fixtures.js";

interface Row {
  name: string;
  history: EvaluationRecord[];
  /** Hours after T0; default: one hour after the last record. */
  now?: number;
  policy?: DecayPolicy;
  opts?: DecayOptions;
  /** The signals of the tested type, in order: fields matched with toMatchObject, `data` against evidence.data. */
  expected: Record<string, unknown>[];
}

function signals(row: Row, type: DecayType): DecaySignal[] {
  const last = row.history.at(-1);
  const now = row.now !== undefined ? new Date(T0 + row.now * H) : new Date((last ? Date.parse(last.at) : T0) + H);
  return detectDecay(row.history, row.policy ?? { invariants: [] }, now, row.opts).filter((s) => s.type === type);
}

function table(type: DecayType, rows: Row[]) {
  describe(type, () => {
    it.each(rows.map((r) => [r.name, r] as const))("%s", (_name, row) => {
      const got = signals(row, type);
      expect(got).toHaveLength(row.expected.length);
      got.forEach((s, i) => {
        const { data, ...rest } = row.expected[i] as Record<string, unknown> & { data?: Record<string, unknown> };
        expect(s).toMatchObject(rest);
        if (data) expect(s.evidence.data).toMatchObject(data);
        expect(s.evidence.message).not.toMatch(/\n/);
      });
    });
  });
}

table("vacuous", [
  { name: "latest default evaluation matches nothing", history: [audit(0, [inv("a", { matched: 5 })]), audit(1, [inv("a", { matched: 0 })]), audit(2, [inv("a", { matched: 0 })])], expected: [{ invariant: "a", branch: "main", firstSeen: at(1), data: { unit: "files", evaluations: 2 } }] },
  { name: "coverage came back", history: [audit(0, [inv("a", { matched: 0 })]), audit(1, [inv("a", { matched: 3 })])], expected: [] },
  { name: "a crashed evaluator is not vacuity", history: [audit(0, [inv("a", { matched: 0 })]), audit(1, [inv("a", { matched: 0, status: "error" })])], expected: [] },
  { name: "a crash inside the run neither counts nor breaks it", history: [audit(0, [inv("a", { matched: 0 })]), audit(1, [inv("a", { matched: 0, status: "error" })]), audit(2, [inv("a", { matched: 0 })])], expected: [{ invariant: "a", firstSeen: at(0), data: { evaluations: 2 } }] },
  { name: "the run starts when the invariant appeared", history: [audit(0, [inv("b")]), audit(1, [inv("a", { matched: 0 }), inv("b")])], expected: [{ invariant: "a", firstSeen: at(1) }] },
  { name: "feature branches do not count", history: [audit(0, [inv("a", { matched: 4 })]), push(1, "claude/x", "claude-code", [inv("a", { matched: 0 })])], expected: [] },
]);

table("shrinking-coverage", [
  {
    name: "fell from the window's maximum",
    history: [audit(0, [inv("a", { matched: 100 })]), audit(1, [inv("a", { matched: 120 })]), audit(2, [inv("a", { matched: 50 })]), audit(3, [inv("a", { matched: 40 })])],
    expected: [{ invariant: "a", firstSeen: at(2), data: { unit: "files", max: 120, maxAt: { at: at(1) }, latest: 40, policyChanged: false } }],
  },
  { name: "exactly half is shrinking", history: [audit(0, [inv("a", { matched: 100 })]), audit(1, [inv("a", { matched: 50 })])], expected: [{ invariant: "a", firstSeen: at(1), data: { drop: 0.5 } }] },
  { name: "49% is not", history: [audit(0, [inv("a", { matched: 100 })]), audit(1, [inv("a", { matched: 51 })])], expected: [] },
  { name: "the ratio is configurable", history: [audit(0, [inv("a", { matched: 100 })]), audit(1, [inv("a", { matched: 75 })])], opts: { shrinkRatio: 0.2 }, expected: [{ invariant: "a" }] },
  { name: "a maximum outside the window is forgotten", history: [audit(0, [inv("a", { matched: 100 })]), audit(48, [inv("a", { matched: 40 })]), audit(49, [inv("a", { matched: 40 })])], opts: { windowMs: 24 * H }, expected: [] },
  { name: "a change of unit is not shrinkage", history: [audit(0, [inv("a", { matched: 100 })]), audit(1, [inv("a", { matched: 10, unit: "edges" })])], expected: [] },
  { name: "a policy change is reported, not hidden", history: [audit(0, [inv("a", { matched: 100 })]), audit(1, [inv("a", { matched: 10 })], { policyDigest: "policy-2" })], expected: [{ invariant: "a", data: { policyChanged: true } }] },
  { name: "falling to zero is vacuous, not also shrinking", history: [audit(0, [inv("a", { matched: 100 })]), audit(1, [inv("a", { matched: 0 })])], expected: [] },
  { name: "recovered coverage ends it", history: [audit(0, [inv("a", { matched: 100 })]), audit(1, [inv("a", { matched: 10 })]), audit(2, [inv("a", { matched: 90 })])], expected: [] },
]);

table("waiver-rot", [
  { name: "expired, since it first was", history: [audit(0, [inv("a")], { waivers: [waiver("active")] }), audit(1, [inv("a")], { waivers: [waiver("expired")] }), audit(2, [inv("a")], { waivers: [waiver("expired")] })], expected: [{ invariant: "a", firstSeen: at(1), data: { state: "expired", path: "src/legacy/**" } }] },
  { name: "orphaned: the path is gone", history: [audit(0, [inv("a")], { waivers: [waiver("unneeded")] }), audit(1, [inv("a")], { waivers: [waiver("orphaned")] })], expected: [{ invariant: "a", firstSeen: at(1), data: { state: "orphaned" } }] },
  { name: "unneeded: the violation no longer occurs", history: [audit(0, [inv("a")], { waivers: [waiver("unneeded")] })], expected: [{ invariant: "a", firstSeen: at(0), data: { state: "unneeded" } }] },
  { name: "an active waiver is fine", history: [audit(0, [inv("a")], { waivers: [waiver("active")] })], expected: [] },
  { name: "only the default branch's latest state counts", history: [audit(0, [inv("a")], { waivers: [waiver("active")] }), push(1, "feature", null, [inv("a")], { waivers: [waiver("unneeded")] })], expected: [] },
]);

const open = (n: number) => inv("a", { open: n, enforcement: "warn", status: n > 0 ? "warn" : "pass" });
table("eroding", [
  { name: "three strictly growing evaluations", history: [audit(0, [open(1)]), audit(1, [open(2)]), audit(2, [open(4)])], expected: [{ invariant: "a", firstSeen: at(1), data: { series: [{ open: 1 }, { open: 2 }, { open: 4 }] } }] },
  { name: "two are not enough", history: [audit(0, [open(1)]), audit(1, [open(2)])], expected: [] },
  { name: "a plateau breaks the run", history: [audit(0, [open(1)]), audit(1, [open(2)]), audit(2, [open(2)]), audit(3, [open(3)])], expected: [] },
  { name: "re-evaluations of one SHA count once", history: [audit(0, [open(1)], { sha: shaOf("A") }), audit(1, [open(1)], { sha: shaOf("A") }), audit(2, [open(2)], { sha: shaOf("B") }), audit(3, [open(2)], { sha: shaOf("B") }), audit(4, [open(3)])], expected: [{ invariant: "a", firstSeen: at(3) }] },
  {
    name: "pushes count introduced + persisting like audits count present",
    history: [audit(0, [open(1)]), push(1, "main", null, [{ ...open(0), counts: { introduced: 1, persisting: 1, resolved: 0, present: 0, waived: 0 } }]), audit(2, [open(3)])],
    expected: [{ invariant: "a", data: { series: [{ open: 1 }, { open: 2 }, { open: 3 }] } }],
  },
  { name: "observe rules erode too", history: [audit(0, [inv("a", { open: 1, enforcement: "observe" })]), audit(1, [inv("a", { open: 2, enforcement: "observe" })]), audit(2, [inv("a", { open: 3, enforcement: "observe" })])], expected: [{ invariant: "a" }] },
  { name: "growth on a feature branch is not erosion", history: [push(0, "feature", null, [open(1)]), push(1, "feature", null, [open(2)]), push(2, "feature", null, [open(3)])], expected: [] },
  { name: "a crash breaks the trend", history: [audit(0, [open(1)]), audit(1, [{ ...open(2), status: "error" }]), audit(2, [open(3)]), audit(3, [open(4)])], expected: [] },
]);

const failing = push(1, "claude/fix", "claude-code", [inv("a", { status: "fail", fps: ["f1"] }), inv("b")], { sha: shaOf("pr-head"), conclusion: "failure" });
table("bypassed", [
  { name: "merged while failing", history: [audit(0, [inv("a")]), failing, merge(2, 7, shaOf("pr-head"), "failure")], expected: [{ invariant: null, branch: "claude/fix", firstSeen: at(2), data: { prNumber: 7, checkConclusion: "failure", failing: ["a"] } }] },
  { name: "action_required blocks too", history: [failing, merge(2, 7, shaOf("pr-head"), "action_required")], expected: [{ data: { prNumber: 7 } }] },
  { name: "merged green", history: [failing, merge(2, 7, shaOf("pr-head"), "success")], expected: [] },
  { name: "no evaluation of the head left in history", history: [merge(2, 8, shaOf("gone"), "failure")], expected: [{ data: { prNumber: 8, failing: [] } }] },
  { name: "outside the window", history: [merge(0, 7, shaOf("pr-head"), "failure"), audit(100, [inv("a")])], opts: { windowMs: 24 * H }, expected: [] },
]);

const sixHours: DecayPolicy = { invariants: [{ id: "a", auditIntervalMs: 6 * H }] };
table("silent", [
  { name: "overdue past interval and grace", history: [audit(0, [inv("a")])], now: 8, policy: sixHours, expected: [{ invariant: "a", branch: null, firstSeen: at(6), data: { lastEvaluated: { at: at(0) }, intervalMs: 6 * H, overdueMs: 2 * H } }] },
  { name: "inside the grace", history: [audit(0, [inv("a")])], now: 7, policy: sixHours, expected: [] },
  { name: "no grace asked", history: [audit(0, [inv("a")])], now: 7, policy: sixHours, opts: { silentGrace: 0 }, expected: [{ invariant: "a" }] },
  { name: "never evaluated: measured from the start of history", history: [audit(0, [inv("b")])], now: 10, policy: sixHours, expected: [{ invariant: "a", firstSeen: at(6), data: { lastEvaluated: null } }] },
  { name: "an empty history says nothing", history: [], now: 100, policy: sixHours, expected: [] },
  { name: "a crash is not an evaluation", history: [audit(0, [inv("a")]), audit(5, [inv("a", { status: "error" })])], now: 8, policy: sixHours, expected: [{ invariant: "a", data: { lastEvaluated: { at: at(0) } } }] },
  { name: "feature branch evaluations do not keep it alive", history: [audit(0, [inv("a")]), push(7, "feature", null, [inv("a")])], now: 8, policy: sixHours, expected: [{ invariant: "a" }] },
  { name: "each invariant has its own interval", history: [audit(0, [inv("a"), inv("b")])], now: 8, policy: { invariants: [{ id: "a", auditIntervalMs: 6 * H }, { id: "b", auditIntervalMs: 24 * H }] }, expected: [{ invariant: "a" }] },
]);

const f1 = (o: { truncated?: boolean; status?: "error" } = {}) => inv("a", { fps: ["f1"], ...o });
const none = (o: { truncated?: boolean } = {}) => inv("a", { fps: [], ...o });
table("violation-loop", [
  {
    name: "the same fingerprint on three consecutive agent pushes",
    history: [audit(0, [none()]), push(1, "claude/x", "claude-code", [f1()]), push(2, "claude/x", "claude-code", [f1()]), push(3, "claude/x", "claude-code", [f1()])],
    expected: [
      {
        invariant: "a",
        branch: "claude/x",
        firstSeen: at(1),
        data: {
          pattern: "repeated",
          fingerprints: ["f1"],
          agents: ["claude-code"],
          chain: [
            { at: at(1), actor: "claude-code", introduced: ["f1"], resolved: [], open: ["f1"] },
            { at: at(2), introduced: [], open: ["f1"] },
            { at: at(3), introduced: [], open: ["f1"] },
          ],
        },
      },
    ],
  },
  { name: "two pushes are not a loop", history: [push(1, "claude/x", "claude-code", [f1()]), push(2, "claude/x", "claude-code", [f1()])], expected: [] },
  { name: "a human push breaks the run", history: [push(1, "b", "codex", [f1()]), push(2, "b", null, [f1()]), push(3, "b", "codex", [f1()]), push(4, "b", "codex", [f1()])], expected: [] },
  { name: "violations inherited from the default branch are not the agent's loop", history: [audit(0, [f1()]), push(1, "b", "codex", [f1()]), push(2, "b", "codex", [f1()]), push(3, "b", "codex", [f1()])], expected: [] },
  { name: "re-evaluations of one SHA count once", history: [push(1, "b", "codex", [f1()], { sha: shaOf("A") }), push(2, "b", "codex", [f1()], { sha: shaOf("A"), trigger: "pull_request" }), push(3, "b", "codex", [f1()])], expected: [] },
  { name: "the run length is configurable", history: [push(1, "b", "codex", [f1()]), push(2, "b", "codex", [f1()])], opts: { loopRuns: 2 }, expected: [{ data: { pattern: "repeated" } }] },
  {
    name: "fixed, then reintroduced",
    history: [push(1, "b", "devin", [f1()]), push(2, "b", "devin", [none()]), push(3, "b", null, [f1()])],
    expected: [
      {
        invariant: "a",
        branch: "b",
        firstSeen: at(3),
        data: {
          pattern: "reintroduced",
          agents: ["devin"],
          chain: [
            { at: at(1), introduced: ["f1"], resolved: [] },
            { at: at(2), introduced: [], resolved: ["f1"], open: [] },
            { at: at(3), actor: "human", introduced: ["f1"], resolved: [] },
          ],
        },
      },
    ],
  },
  { name: "a truncated list proves no fix", history: [push(1, "b", null, [f1()]), push(2, "b", null, [none({ truncated: true })]), push(3, "b", null, [f1()])], expected: [] },
  { name: "a crash proves no fix", history: [push(1, "b", null, [f1()]), push(2, "b", null, [inv("a", { status: "error" })]), push(3, "b", null, [f1()])], expected: [] },
  { name: "reintroduced on the default branch", history: [audit(0, [f1()]), audit(1, [none()]), audit(2, [f1()])], expected: [{ branch: "main", firstSeen: at(2), data: { pattern: "reintroduced" } }] },
  {
    name: "fingerprints of one invariant share one signal",
    history: [1, 2, 3].map((h) => push(h, "b", "cursor", [inv("a", { fps: ["f1", "f2"] })])),
    expected: [{ invariant: "a", data: { pattern: "repeated", fingerprints: ["f1", "f2"] } }],
  },
  { name: "outside the window", history: [push(1, "b", "codex", [f1()]), push(2, "b", "codex", [f1()]), push(3, "b", "codex", [f1()]), audit(100, [none()])], opts: { windowMs: 24 * H }, expected: [] },
]);

describe("detectDecay", () => {
  it("orders signals by type, then invariant, and is deterministic", () => {
    const history = [audit(0, [inv("b", { matched: 0 }), inv("a", { matched: 0 })], { waivers: [waiver("expired")] })];
    const now = new Date(T0 + 100 * H);
    const policy = { invariants: [{ id: "a", auditIntervalMs: H }] };
    const got = detectDecay(history, policy, now);
    expect(got.map((s) => `${s.type}:${s.invariant}`)).toEqual(["vacuous:a", "vacuous:b", "waiver-rot:a", "silent:a"]);
    expect(detectDecay(history, policy, now)).toEqual(got);
  });

  it("a healthy history has no signal", () => {
    const history = [0, 6, 12].map((h) => audit(h, [inv("a", { matched: 10 })], { waivers: [waiver("active")] }));
    expect(detectDecay(history, { invariants: [{ id: "a", auditIntervalMs: 6 * H }] }, new Date(T0 + 13 * H))).toEqual([]);
  });
});
