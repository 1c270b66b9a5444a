import { isEvaluation, type EvaluationRecord } from "./decay-record.js";
import type { ResolvedDecayOptions } from "./decay-signal.js";

/** The views of one repository's history every detector starts from, computed once. */
export interface DecayContext {
  readonly now: Date;
  readonly opts: ResolvedDecayOptions;
  readonly history: readonly EvaluationRecord[];
  /** Evaluations only (merge markers left out), oldest first. */
  readonly evaluations: readonly EvaluationRecord[];
  /** Evaluations of the default branch, oldest first. */
  readonly defaults: readonly EvaluationRecord[];
  /** Evaluations of the default branch inside the window. */
  readonly recentDefaults: readonly EvaluationRecord[];
  /** Whether a record falls inside the trend window. */
  inWindow(r: EvaluationRecord): boolean;
}

export function decayContextOf(history: readonly EvaluationRecord[], now: Date, opts: ResolvedDecayOptions): DecayContext {
  const since = now.getTime() - opts.windowMs;
  const inWindow = (r: EvaluationRecord) => Date.parse(r.at) >= since;
  const evaluations = history.filter(isEvaluation);
  const defaults = evaluations.filter((r) => r.defaultBranch);
  return { now, opts, history, evaluations, defaults, recentDefaults: defaults.filter(inWindow), inWindow };
}

export function pointOf(r: EvaluationRecord): { sha: string; at: string } {
  return { sha: r.sha, at: r.at };
}

/** The last element matching `pred` (Array#findLast needs lib ES2023; the build targets ES2022). */
export function lastWhere<T>(xs: readonly T[], pred: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (pred(xs[i]!)) return xs[i];
  return undefined;
}
