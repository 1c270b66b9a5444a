import { pointOf, type DecayContext } from "./decay-context.js";
import { invariantOf, type EvaluationRecord, type InvariantRecord } from "./decay-record.js";
import type { ShrinkingCoverageSignal, VacuousSignal } from "./decay-signal.js";
import { shrinkingMessage, vacuousMessage } from "./messages/decay.js";

/**
 * Vacuous: on the latest default-branch evaluation the invariant's selectors matched nothing.
 * firstSeen is the first record of the unbroken run of zero coverage that ends there. A crashed
 * evaluator reports zero coverage too, but says nothing about the selectors: such records are
 * neither counted nor allowed to break the run.
 */
export function detectVacuous(ctx: DecayContext): VacuousSignal[] {
  const latest = ctx.defaults.at(-1);
  if (!latest) return [];
  const out: VacuousSignal[] = [];
  for (const inv of latest.invariants) {
    if (inv.status === "error" || inv.coverage.matched !== 0) continue;
    const run = trailingRun(ctx.defaults, inv.id, (x) => x.coverage.matched === 0);
    const first = run[0] ?? latest;
    out.push({
      type: "vacuous",
      invariant: inv.id,
      branch: latest.branch,
      firstSeen: first.at,
      evidence: {
        message: vacuousMessage({ invariant: inv.id, unit: inv.coverage.unit, since: first.at }),
        data: { unit: inv.coverage.unit, latest: pointOf(latest), evaluations: run.length },
      },
    });
  }
  return out;
}

/**
 * Shrinking coverage: the latest default-branch coverage fell by at least `shrinkRatio` from
 * the most recent maximum inside the window (same unit only: a kind change is not shrinkage;
 * zero is left to `vacuous`). firstSeen is the first record of the run, ending at the latest, that stays below the bar.
 */
export function detectShrinkingCoverage(ctx: DecayContext): ShrinkingCoverageSignal[] {
  const latest = ctx.recentDefaults.at(-1);
  if (!latest) return [];
  const out: ShrinkingCoverageSignal[] = [];
  for (const inv of latest.invariants) {
    // Zero coverage is reported as vacuous; saying "shrinking" as well would only repeat it.
    if (inv.status === "error" || inv.coverage.matched === 0) continue;
    const unit = inv.coverage.unit;
    const points = ctx.recentDefaults.flatMap((r) => {
      const x = invariantOf(r, inv.id);
      return x && x.status !== "error" && x.coverage.unit === unit ? [{ r, matched: x.coverage.matched }] : [];
    });
    const peak = points.reduce<(typeof points)[number] | null>((best, p) => (best === null || p.matched >= best.matched ? p : best), null);
    if (!peak || peak.matched === 0) continue;
    const low = (m: number) => (peak.matched - m) / peak.matched >= ctx.opts.shrinkRatio;
    if (!low(inv.coverage.matched)) continue;
    let first = points.length - 1;
    while (first > 0 && low(points[first - 1]!.matched)) first -= 1;
    const drop = (peak.matched - inv.coverage.matched) / peak.matched;
    out.push({
      type: "shrinking-coverage",
      invariant: inv.id,
      branch: latest.branch,
      firstSeen: points[first]!.r.at,
      evidence: {
        message: shrinkingMessage({ invariant: inv.id, unit, max: peak.matched, maxSha: peak.r.sha, latest: inv.coverage.matched, drop }),
        data: { unit, max: peak.matched, maxAt: pointOf(peak.r), latest: inv.coverage.matched, latestAt: pointOf(latest), drop, policyChanged: peak.r.policyDigest !== latest.policyDigest },
      },
    });
  }
  return out;
}

/**
 * Records (oldest first) of the unbroken run, ending at the newest, in which `holds` is true
 * for the invariant. Records where it crashed are skipped over; a record without it ends the run.
 */
export function trailingRun(records: readonly EvaluationRecord[], id: string, holds: (x: InvariantRecord) => boolean): EvaluationRecord[] {
  const run: EvaluationRecord[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const x = invariantOf(records[i]!, id);
    if (!x) break;
    if (x.status === "error") continue;
    if (!holds(x)) break;
    run.unshift(records[i]!);
  }
  return run;
}
