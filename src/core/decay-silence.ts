import { lastWhere, pointOf, type DecayContext } from "./decay-context.js";
import { invariantOf } from "./decay-record.js";
import type { DecayPolicy, SilentSignal } from "./decay-signal.js";
import { silentMessage } from "./messages/decay.js";

/**
 * Silent: an invariant of the current policy with no default-branch evaluation (a crash does
 * not count as one) within its audit interval, plus `silentGrace`. An invariant never evaluated
 * is measured from the first record of the history; an empty history says nothing (a fresh
 * installation has not been audited yet, which is not decay). firstSeen is the moment the
 * invariant became overdue: last evaluation + interval.
 */
export function detectSilent(ctx: DecayContext, policy: DecayPolicy): SilentSignal[] {
  const start = ctx.history[0];
  if (!start) return [];
  const now = ctx.now.getTime();
  const out: SilentSignal[] = [];
  for (const { id, auditIntervalMs } of policy.invariants) {
    const last = lastWhere(ctx.defaults, (r) => {
      const x = invariantOf(r, id);
      return x !== undefined && x.status !== "error";
    });
    const from = Date.parse((last ?? start).at);
    const overdueMs = now - (from + auditIntervalMs);
    if (now - from <= auditIntervalMs * (1 + ctx.opts.silentGrace)) continue;
    out.push({
      type: "silent",
      invariant: id,
      branch: null,
      firstSeen: new Date(from + auditIntervalMs).toISOString(),
      evidence: {
        message: silentMessage({ invariant: id, last: last ? last.at : null, intervalMs: auditIntervalMs }),
        data: { lastEvaluated: last ? pointOf(last) : null, intervalMs: auditIntervalMs, overdueMs },
      },
    });
  }
  return out;
}
