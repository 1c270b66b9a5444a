import { ENGINE_VERSION } from "../core/engine-version.js";
import type { CheckOutcome } from "../check/check-revision.js";

/** The documented JSON report (README "JSON output"); `version` changes only on breaking edits. */
export function renderJson(outcome: CheckOutcome, exitCode: number): string {
  const base = { version: 1, engine: ENGINE_VERSION, exitCode };
  if (outcome.type === "invalid-policy") return JSON.stringify({ ...base, conclusion: "invalid-policy", policy: { from: outcome.policyFrom }, errors: outcome.errors }, null, 2);
  if (outcome.type === "no-policy") return JSON.stringify({ ...base, conclusion: "no-policy", policy: { from: outcome.policyFrom }, invariants: [], findings: [] }, null, 2);
  const v = outcome.verdict;
  return JSON.stringify(
    {
      ...base,
      conclusion: v.conclusion,
      policy: { digest: v.policyDigest, files: outcome.policy.files },
      actor: v.actor,
      change: outcome.change ? { base: outcome.change.baseRev, head: outcome.change.headRev, paths: outcome.change.paths } : null,
      invariants: v.invariants,
      findings: v.findings.map((f) => ({
        invariant: f.invariant,
        kind: f.kind,
        enforcement: f.enforcement,
        status: f.status,
        code: f.code,
        path: f.path,
        line: f.line,
        column: f.column,
        message: f.message,
        why: f.why,
        fingerprint: f.fingerprint,
        blocking: v.blocking.includes(f),
        waiver: f.waiver,
        evidence: f.evidence,
      })),
      notices: v.notices,
      policyDiff: v.policyDiff,
      errors: outcome.headPolicyErrors,
      timings: outcome.timings,
      parse: outcome.parse,
    },
    null,
    2,
  );
}
