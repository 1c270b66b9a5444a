import { lastWhere, type DecayContext } from "./decay-context.js";
import { BLOCKING_CHECK_CONCLUSIONS, isEvaluation, isMerge } from "./decay-record.js";
import type { BypassedSignal } from "./decay-signal.js";
import { bypassedMessage } from "./messages/decay.js";

/**
 * Bypassed: a PR merged (a merge marker inside the window) while its Plumbline check had a
 * blocking conclusion (`failure`, or `action_required`, which blocks a required check just the
 * same). The failing invariants come from the last evaluation of that SHA before the merge,
 * when history still holds it. firstSeen is the merge.
 */
export function detectBypassed(ctx: DecayContext): BypassedSignal[] {
  const out: BypassedSignal[] = [];
  ctx.history.forEach((r, index) => {
    if (!isMerge(r) || !ctx.inWindow(r) || !BLOCKING_CHECK_CONCLUSIONS.has(r.merged.checkConclusion)) return;
    const judged = lastWhere(ctx.history.slice(0, index), (e) => isEvaluation(e) && e.sha === r.sha);
    const failing = (judged?.invariants ?? []).filter((i) => i.status === "fail" || i.status === "error").map((i) => i.id);
    const { prNumber, checkConclusion } = r.merged;
    out.push({
      type: "bypassed",
      invariant: null,
      branch: r.branch,
      firstSeen: r.at,
      evidence: {
        message: bypassedMessage({ prNumber, sha: r.sha, checkConclusion, failing }),
        data: { prNumber, sha: r.sha, checkConclusion, failing },
      },
    });
  });
  return out;
}
