import { decayContextOf, lastWhere, type DecayContext } from "./decay-context.js";
import { detectBypassed } from "./decay-bypass.js";
import { detectShrinkingCoverage, detectVacuous } from "./decay-coverage.js";
import { detectEroding } from "./decay-erosion.js";
import { auditIntervalMs, DEFAULT_AUDIT_INTERVAL } from "./decay-interval.js";
import { detectViolationLoops } from "./decay-loop.js";
import { BLOCKING_CHECK_CONCLUSIONS, isEvaluation, MAX_FINGERPRINTS, type EvaluationRecord, type InvariantRecord, type WaiverRecord } from "./decay-record.js";
import { DECAY_TYPES, DEFAULT_DECAY_OPTIONS, type DecayOptions, type DecayPolicy, type DecaySignal } from "./decay-signal.js";
import { detectSilent } from "./decay-silence.js";
import { detectWaiverRot } from "./decay-waivers.js";
import type { CompiledPolicy } from "./compile.js";
import type { WaiverReport } from "./evaluate.js";
import { compileGlob } from "./glob.js";
import type { Verdict } from "./judge.js";

export type { EvaluationRecord, InvariantRecord, WaiverRecord } from "./decay-record.js";
export type * from "./decay-signal.js";
export { DECAY_TYPES, DEFAULT_DECAY_OPTIONS } from "./decay-signal.js";

/** Facts about an evaluation that the verdict does not carry. */
export interface RecordMeta {
  readonly at: Date;
  readonly sha: string;
  /** Full ref, e.g. `refs/heads/main` or `refs/pull/7/head`. */
  readonly ref: string;
  /** Branch the SHA was judged on (the default branch's name for audits); null when none. */
  readonly branch: string | null;
  readonly trigger: string;
  readonly defaultBranch: boolean;
  /** `settings.auditInterval` of the policy that judged (e.g. `6h`). */
  readonly auditInterval: string;
  /**
   * Paths of the evaluated tree, or null when unknown. With them, a waiver whose glob matches no
   * file is recorded as `orphaned` (its path is gone) whatever evaluate said: removing it is the
   * only fix, while `unneeded` means the code is there but the violation is not.
   */
  readonly paths: readonly string[] | null;
}

export type WaiverInput = Pick<WaiverReport, "invariant" | "path" | "expires" | "state" | "used">;

/** The history record of one verdict. Pure. */
export function recordOf(verdict: Verdict, waivers: readonly WaiverInput[], meta: RecordMeta): EvaluationRecord {
  const open = verdict.findings.filter((f) => !f.waiver && f.status !== "resolved");
  const invariants: InvariantRecord[] = verdict.invariants.map((r) => {
    const fps = [...new Set(open.filter((f) => f.invariant === r.id).map((f) => f.fingerprint))].sort();
    return {
      id: r.id,
      kind: r.kind,
      enforcement: r.enforcement,
      status: r.status,
      coverage: { unit: r.coverage.unit, matched: r.coverage.matched },
      counts: { ...r.counts },
      fingerprints: fps.slice(0, MAX_FINGERPRINTS),
      fingerprintsTruncated: fps.length > MAX_FINGERPRINTS,
    };
  });
  return {
    v: 1,
    at: meta.at.toISOString(),
    sha: meta.sha,
    ref: meta.ref,
    branch: meta.branch,
    trigger: meta.trigger,
    actor: verdict.actor ? { class: verdict.actor.class, agent: verdict.actor.agent } : null,
    policyDigest: verdict.policyDigest,
    defaultBranch: meta.defaultBranch,
    auditIntervalMs: auditIntervalMs(meta.auditInterval),
    invariants,
    waivers: waivers.map((w) => waiverRecordOf(w, meta.paths)),
    conclusion: verdict.conclusion,
  };
}

function waiverRecordOf(w: WaiverInput, paths: readonly string[] | null): WaiverRecord {
  const base = { invariant: w.invariant, path: w.path, expires: w.expires, used: w.used };
  if (paths === null || w.used > 0) return { ...base, state: w.state };
  let matchesAFile = true;
  try {
    const glob = compileGlob(w.path, ["waivers", "path"]);
    matchesAFile = paths.some((p) => glob.test(p));
  } catch {
    // The policy compiled with this glob, so this cannot happen; never call a waiver orphaned on doubt.
  }
  return { ...base, state: matchesAFile ? w.state : "orphaned" };
}

/**
 * Waiver reports rebuilt from a verdict, for callers that no longer hold the head Evaluation:
 * active waivers from the findings they waived, expired and unneeded ones from their notices.
 */
export function waiverReportsOf(verdict: Verdict): WaiverInput[] {
  const byKey = new Map<string, WaiverInput>();
  for (const f of verdict.findings) {
    if (!f.waiver || f.status === "resolved") continue;
    const key = `${f.invariant}\u0000${f.waiver.path}`;
    const prev = byKey.get(key);
    byKey.set(key, { invariant: f.invariant, path: f.waiver.path, expires: f.waiver.expires, state: "active", used: (prev?.used ?? 0) + 1 });
  }
  for (const n of verdict.notices) {
    if (n.code !== "waiver.expired" && n.code !== "waiver.unneeded") continue;
    const { invariant, path, expires } = n.evidence;
    if (typeof invariant !== "string" || typeof path !== "string") continue;
    byKey.set(`${invariant}\u0000${path}`, { invariant, path, expires: String(expires ?? ""), state: n.code === "waiver.expired" ? "expired" : "unneeded", used: 0 });
  }
  return [...byKey.values()];
}

export interface MergeMeta {
  readonly at: Date;
  readonly prNumber: number;
  /** The PR head SHA whose check decided (or failed to stop) the merge. */
  readonly sha: string;
  readonly branch: string | null;
  /** Conclusion of the PR head's Plumbline check when it merged; `unknown` when it had none. */
  readonly checkConclusion: string;
  readonly actor: EvaluationRecord["actor"];
  /** Carried over from the latest evaluation, so a reader of the marker alone needs nothing else. */
  readonly policyDigest: string;
  readonly auditIntervalMs: number;
}

/** A merge marker: no invariants (they live in the evaluation of `sha`), only the merge's facts. */
export function mergeRecordOf(m: MergeMeta): EvaluationRecord {
  return {
    v: 1,
    at: m.at.toISOString(),
    sha: m.sha,
    ref: `refs/pull/${m.prNumber}/head`,
    branch: m.branch,
    trigger: "merge",
    actor: m.actor,
    policyDigest: m.policyDigest,
    defaultBranch: false,
    auditIntervalMs: m.auditIntervalMs,
    invariants: [],
    waivers: [],
    conclusion: BLOCKING_CHECK_CONCLUSIONS.has(m.checkConclusion) ? "failure" : "success",
    merged: { prNumber: m.prNumber, checkConclusion: m.checkConclusion },
  };
}

/** Every detector, in the order signals are reported (a plain list, like the kind registry). */
const detectors: readonly ((ctx: DecayContext, policy: DecayPolicy) => DecaySignal[])[] = [
  detectVacuous,
  detectShrinkingCoverage,
  detectWaiverRot,
  detectEroding,
  detectBypassed,
  detectSilent,
  detectViolationLoops,
];

/**
 * Decay signals of one repository. `history` is oldest first; `now` is passed in so the same
 * history gives the same signals everywhere (worker, CLI, tests). Pure.
 */
export function detectDecay(history: readonly EvaluationRecord[], policy: DecayPolicy, now: Date, opts: DecayOptions = {}): DecaySignal[] {
  const resolved = { ...DEFAULT_DECAY_OPTIONS, ...opts };
  // Erosion needs a baseline and one step at least; a loop needs two pushes to be one.
  const sane = { ...resolved, erodingRuns: Math.max(2, resolved.erodingRuns), loopRuns: Math.max(2, resolved.loopRuns) };
  const ctx = decayContextOf(history, now, sane);
  const order = (t: DecaySignal["type"]) => DECAY_TYPES.indexOf(t);
  return detectors
    .flatMap((d) => d(ctx, policy))
    .sort((a, b) => order(a.type) - order(b.type) || cmp(a.invariant, b.invariant) || cmp(a.branch, b.branch) || cmp(a.firstSeen, b.firstSeen));
}

function cmp(a: string | null, b: string | null): number {
  return (a ?? "") < (b ?? "") ? -1 : (a ?? "") > (b ?? "") ? 1 : 0;
}

/** The decay policy of the compiled policy in hand (the worker's case): one interval for all, settings.auditInterval. */
export function decayPolicyFor(policy: Pick<CompiledPolicy, "invariants" | "settings">): DecayPolicy {
  const ms = auditIntervalMs(policy.settings.auditInterval);
  return { invariants: policy.invariants.map((i) => ({ id: i.header.id, auditIntervalMs: ms })) };
}

/**
 * The decay policy as the latest default-branch evaluation knew it, for readers without the
 * invariant files (the CLI, the dashboard): its invariants, each with the recorded interval.
 */
export function decayPolicyOf(history: readonly EvaluationRecord[]): DecayPolicy {
  const latest = lastWhere(history, (r) => isEvaluation(r) && r.defaultBranch) ?? lastWhere(history, isEvaluation);
  if (!latest) return { invariants: [] };
  return { invariants: latest.invariants.map((i) => ({ id: i.id, auditIntervalMs: latest.auditIntervalMs })) };
}

export { auditIntervalMs, DEFAULT_AUDIT_INTERVAL };
