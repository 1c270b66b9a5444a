/**
 * The reconciler's run stands in for a verdict rather than being one ("did not conclude before
 * its deadline"). A superseded notice may replace it; only an evaluation may replace a verdict
 * (a late job for an old SHA once turned a concluded `success` into `cancelled`, found by the
 * soak).
 */
export const RECONCILE_REASON = "the evaluation did not conclude before its deadline";

export function isReconcileNotice(summary: string | null): boolean {
  return (summary ?? "").includes(RECONCILE_REASON);
}
