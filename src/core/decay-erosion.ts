import { pointOf, type DecayContext } from "./decay-context.js";
import { collapseBySha, invariantOf, openCount } from "./decay-record.js";
import type { ErodingSignal } from "./decay-signal.js";
import { erodingMessage } from "./messages/decay.js";

/**
 * Eroding: the open violations of an invariant on the default branch grew strictly across the
 * last `erodingRuns` or more distinct revisions inside the window (every enforcement level: a
 * `warn` rule nobody acts on erodes just the same). Re-evaluations of one SHA count once.
 * firstSeen is the first revision whose count grew, where the erosion began.
 */
export function detectEroding(ctx: DecayContext): ErodingSignal[] {
  const revisions = collapseBySha(ctx.recentDefaults);
  const latest = revisions.at(-1);
  if (!latest) return [];
  const out: ErodingSignal[] = [];
  for (const inv of latest.invariants) {
    const series: { sha: string; at: string; open: number }[] = [];
    for (let i = revisions.length - 1; i >= 0; i--) {
      const x = invariantOf(revisions[i]!, inv.id);
      // A crash or a policy without the invariant breaks the trend: its counts are not comparable.
      if (!x || x.status === "error") break;
      const point = { ...pointOf(revisions[i]!), open: openCount(x) };
      if (series.length > 0 && point.open >= series[0]!.open) break;
      series.unshift(point);
    }
    if (series.length < ctx.opts.erodingRuns) continue;
    out.push({
      type: "eroding",
      invariant: inv.id,
      branch: latest.branch,
      firstSeen: series[1]!.at,
      evidence: {
        message: erodingMessage({ invariant: inv.id, from: series[0]!.open, to: series.at(-1)!.open, evaluations: series.length }),
        data: { series },
      },
    });
  }
  return out;
}
