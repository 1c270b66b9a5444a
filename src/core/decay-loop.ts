import type { DecayContext } from "./decay-context.js";
import { collapseBySha, invariantOf, type EvaluationRecord } from "./decay-record.js";
import type { LoopLink, ViolationLoopSignal } from "./decay-signal.js";
import { loopMessage } from "./messages/decay.js";

/** Where one fingerprint stood at one revision. `unknown`: the record cannot tell (see stateOf). */
type State = "present" | "absent" | "unknown";

interface Step {
  readonly record: EvaluationRecord;
  /** Open fingerprints of the default branch's evaluation just before: inherited, not the branch's doing. */
  readonly inherited: ReadonlySet<string>;
}

interface Span {
  readonly fingerprint: string;
  readonly start: number;
  readonly end: number;
  /** Index where the pattern was established (start of a repeat, the reintroduction). */
  readonly onset: number;
}

/**
 * Violation loops, per branch over the window (re-evaluations of one SHA count once):
 * - repeated: one fingerprint open on `loopRuns`+ consecutive agent pushes to a branch other
 *   than the default, and not inherited from the default branch (every push to a branch carries
 *   the default branch's standing violations; those are erosion, not a loop);
 * - reintroduced: a fingerprint open, then resolved, then open again on the same branch, by
 *   anyone (the default branch included: a fix that did not stick is the loop's clearest form).
 * One signal per (branch, invariant, pattern), with the full chain of pushes from the first
 * presence to the last event. firstSeen: the first push of the earliest repeat, or the
 * earliest reintroduction.
 */
export function detectViolationLoops(ctx: DecayContext): ViolationLoopSignal[] {
  const out: ViolationLoopSignal[] = [];
  for (const [branch, steps] of branchSequences(ctx)) {
    const isDefault = steps.some((s) => s.record.defaultBranch);
    const ids = [...new Set(steps.flatMap((s) => s.record.invariants.map((i) => i.id)))].sort();
    for (const id of ids) {
      const fingerprints = [...new Set(steps.flatMap((s) => invariantOf(s.record, id)?.fingerprints ?? []))].sort();
      const repeated = isDefault ? [] : fingerprints.flatMap((fp) => repeats(steps, id, fp, ctx.opts.loopRuns));
      const reintroduced = fingerprints.flatMap((fp) => reintroductions(steps, id, fp));
      for (const [pattern, spans] of [["repeated", repeated], ["reintroduced", reintroduced]] as const) {
        if (spans.length > 0) out.push(signalOf(branch, id, pattern, steps, spans));
      }
    }
  }
  return out;
}

function branchSequences(ctx: DecayContext): Map<string, Step[]> {
  const byBranch = new Map<string, Step[]>();
  let lastDefault: EvaluationRecord | null = null;
  for (const record of ctx.evaluations) {
    const inherited = new Set(record.defaultBranch ? [] : (lastDefault?.invariants.flatMap((i) => i.fingerprints) ?? []));
    if (record.defaultBranch) lastDefault = record;
    if (record.branch === null || !ctx.inWindow(record)) continue;
    const steps = byBranch.get(record.branch) ?? [];
    steps.push({ record, inherited });
    byBranch.set(record.branch, steps);
  }
  for (const [branch, steps] of byBranch) {
    const kept = new Set(collapseBySha(steps.map((s) => s.record)));
    byBranch.set(branch, steps.filter((s) => kept.has(s.record)));
  }
  return byBranch;
}

/**
 * Absence proves a fix only when the invariant ran cleanly and its list was complete: a crash,
 * a policy without the invariant or a truncated list leaves the fingerprint's fate unknown.
 */
function stateOf(r: EvaluationRecord, id: string, fp: string): State {
  const x = invariantOf(r, id);
  if (!x) return "unknown";
  if (x.fingerprints.includes(fp)) return "present";
  return x.status === "error" || x.fingerprintsTruncated ? "unknown" : "absent";
}

function repeats(steps: readonly Step[], id: string, fp: string, minRun: number): Span[] {
  const spans: Span[] = [];
  let start = -1;
  const close = (end: number) => {
    if (start >= 0 && end - start + 1 >= minRun) spans.push({ fingerprint: fp, start, end, onset: start });
    start = -1;
  };
  steps.forEach((s, i) => {
    const counts = s.record.actor?.class === "agent" && !s.inherited.has(fp) && stateOf(s.record, id, fp) === "present";
    if (counts && start < 0) start = i;
    if (!counts) close(i - 1);
  });
  close(steps.length - 1);
  return spans;
}

function reintroductions(steps: readonly Step[], id: string, fp: string): Span[] {
  const spans: Span[] = [];
  let runStart = -1;
  let fixed = false;
  steps.forEach((s, i) => {
    const state = stateOf(s.record, id, fp);
    if (state === "present") {
      if (fixed) spans.push({ fingerprint: fp, start: runStart, end: i, onset: i });
      if (runStart < 0 || fixed) runStart = i;
      fixed = false;
    } else if (state === "absent" && runStart >= 0) fixed = true;
  });
  return spans;
}

function signalOf(branch: string, id: string, pattern: "repeated" | "reintroduced", steps: readonly Step[], spans: readonly Span[]): ViolationLoopSignal {
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end));
  const onset = Math.min(...spans.map((s) => s.onset));
  const looping = [...new Set(spans.map((s) => s.fingerprint))].sort();
  const chain: LoopLink[] = [];
  const agents = new Set<string>();
  let open = new Set<string>();
  for (let i = start; i <= end; i++) {
    const r = steps[i]!.record;
    if (r.actor?.class === "agent") agents.add(r.actor.agent ?? "agent");
    const states = new Map(looping.map((fp) => [fp, stateOf(r, id, fp)] as const));
    // Unknown keeps the previous answer, so a crash in the middle shows no spurious fix.
    const now = new Set(looping.filter((fp) => states.get(fp) === "present" || (states.get(fp) === "unknown" && open.has(fp))));
    chain.push({
      sha: r.sha,
      at: r.at,
      actor: r.actor ? (r.actor.agent ?? r.actor.class) : "audit",
      introduced: looping.filter((fp) => now.has(fp) && !open.has(fp)),
      resolved: looping.filter((fp) => open.has(fp) && states.get(fp) === "absent"),
      open: [...now],
    });
    open = now;
  }
  return {
    type: "violation-loop",
    invariant: id,
    branch,
    firstSeen: steps[onset]!.record.at,
    evidence: {
      message: loopMessage({ invariant: id, branch, pattern, fingerprints: looping.length, pushes: chain.length }),
      data: { pattern, fingerprints: looping, agents: [...agents].sort(), chain },
    },
  };
}
