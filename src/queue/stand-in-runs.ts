/**
 * Runs that stand in for a verdict rather than being one: the reconciler's "did not conclude
 * before its deadline" and a superseded run's `cancelled`. A later notice may replace these;
 * only an evaluation may replace a verdict (a late job for an old SHA once turned a concluded
 * `success` into `cancelled`, found by the soak).
 */
export const RECONCILE_REASON = "the evaluation did not conclude before its deadline";

export function isReconcileNotice(summary: string | null): boolean {
  return (summary ?? "").includes(RECONCILE_REASON);
}

export function isStandIn(run: { readonly conclusion: string | null; readonly summary: string | null }): boolean {
  return run.conclusion === "cancelled" || isReconcileNotice(run.summary);
}
