/**
 * Decay signals: how a repository's invariants stop protecting it over time (DESIGN §4).
 * Each carries its evidence as data plus one rendered line, like findings do.
 */

export const DECAY_TYPES = ["vacuous", "shrinking-coverage", "waiver-rot", "eroding", "bypassed", "silent", "violation-loop"] as const;
export type DecayType = (typeof DECAY_TYPES)[number];

interface Signal<T extends DecayType, D> {
  readonly type: T;
  readonly invariant: string | null;
  readonly branch: string | null;
  /** ISO time of the earliest record where the condition started to hold (see each detector). */
  readonly firstSeen: string;
  readonly evidence: { readonly message: string; readonly data: D };
}

export interface RevisionPoint {
  readonly sha: string;
  readonly at: string;
}

export type VacuousSignal = Signal<"vacuous", { unit: string; latest: RevisionPoint; evaluations: number }>;

export type ShrinkingCoverageSignal = Signal<
  "shrinking-coverage",
  { unit: string; max: number; maxAt: RevisionPoint; latest: number; latestAt: RevisionPoint; drop: number; policyChanged: boolean }
>;

export type WaiverRotSignal = Signal<"waiver-rot", { path: string; state: "expired" | "unneeded" | "orphaned"; expires: string; latest: RevisionPoint }>;

export type ErodingSignal = Signal<"eroding", { series: readonly (RevisionPoint & { open: number })[] }>;

export type BypassedSignal = Signal<"bypassed", { prNumber: number; sha: string; checkConclusion: string; failing: readonly string[] }>;

export type SilentSignal = Signal<"silent", { lastEvaluated: RevisionPoint | null; intervalMs: number; overdueMs: number }>;

/** One push in a loop's chain; fingerprint lists are restricted to the looping fingerprints. */
export interface LoopLink extends RevisionPoint {
  /** Agent id, `human`, or `audit` for evaluations with no change author. */
  readonly actor: string;
  readonly introduced: readonly string[];
  readonly resolved: readonly string[];
  readonly open: readonly string[];
}

export type ViolationLoopSignal = Signal<
  "violation-loop",
  { pattern: "repeated" | "reintroduced"; fingerprints: readonly string[]; agents: readonly string[]; chain: readonly LoopLink[] }
>;

export type DecaySignal = VacuousSignal | ShrinkingCoverageSignal | WaiverRotSignal | ErodingSignal | BypassedSignal | SilentSignal | ViolationLoopSignal;

/** What detection needs to know about the current policy. */
export interface DecayPolicy {
  readonly invariants: readonly { readonly id: string; readonly auditIntervalMs: number }[];
}

export interface DecayOptions {
  /** Trends (shrinking, eroding, loops, bypasses) only look this far back. Default 30 days. */
  readonly windowMs?: number;
  /** Coverage that fell by at least this fraction of the window's maximum is shrinking. Default 0.5. */
  readonly shrinkRatio?: number;
  /** Evaluations of strictly growing open violations that make erosion. Default 3. */
  readonly erodingRuns?: number;
  /** Consecutive agent pushes carrying one fingerprint that make a loop. Default 3. */
  readonly loopRuns?: number;
  /**
   * Slack on the audit interval before an invariant counts as silent, as a fraction of the
   * interval (default 0.25): a scheduled audit runs a little after its slot, and a reader
   * between a missed slot and the next one should not see noise.
   */
  readonly silentGrace?: number;
}

export type ResolvedDecayOptions = Required<DecayOptions>;

export const DEFAULT_DECAY_OPTIONS: ResolvedDecayOptions = {
  windowMs: 30 * 24 * 3600 * 1000,
  shrinkRatio: 0.5,
  erodingRuns: 3,
  loopRuns: 3,
  silentGrace: 0.25,
};
