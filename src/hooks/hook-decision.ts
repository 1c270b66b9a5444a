import { isPolicyPath } from "../check/load-policy-sources.js";
import type { CheckOutcome } from "../check/check-revision.js";
import type { Finding } from "../core/finding.js";
import { renderPolicyError, type PolicyError } from "../core/policy-error.js";
import type { IntendedChange } from "./intended-change.js";
import { summarizeScope } from "./invariant-scope.js";

export interface HookDecision {
  readonly decision: "allow" | "deny";
  /** Written for the agent: what broke which rule, why the rule exists, and what is allowed. */
  readonly reason: string | null;
  /** The findings that decided a denial (empty when allowed). */
  readonly findings: readonly Finding[];
}

const MAX_LISTED = 8;

/**
 * Deny exactly when the change introduces a blocking finding, or when it edits invariant files
 * in a way the engine fails (weakening by an agent, an invalid file). Persisting violations
 * never block an agent's unrelated edit; an invariant that cannot be evaluated blocks (fail closed).
 */
export function decide(outcome: CheckOutcome, change: IntendedChange, toolName: string): HookDecision {
  if (outcome.type === "no-policy") return { decision: "allow", reason: null, findings: [] };
  if (outcome.type === "invalid-policy") {
    return { decision: "deny", reason: invalidPolicyReason(outcome.errors, outcome.policyFrom), findings: [] };
  }
  const v = outcome.verdict;
  const introduced = v.blocking.filter((f) => f.status === "introduced" || f.code === "engine.evaluator-error");
  const touchesPolicy = [...change.writes.keys(), ...change.touched].some(isPolicyPath);
  const policyNotices = touchesPolicy ? v.notices.filter((n) => n.level === "failure" && n.code !== "remediation.broke-another") : [];
  const policyErrors = touchesPolicy ? outcome.headPolicyErrors : [];
  if (introduced.length === 0 && policyNotices.length === 0 && policyErrors.length === 0) return { decision: "allow", reason: null, findings: [] };

  const lines: string[] = [];
  const count = introduced.length + policyNotices.length + policyErrors.length;
  lines.push(`Plumbline blocked this ${toolName}: it would introduce ${count === 1 ? "a violation" : `${count} violations`} of this repository's invariants (as committed at HEAD).`);
  for (const f of introduced.slice(0, MAX_LISTED)) {
    const inv = outcome.policy.invariants.find((i) => i.header.id === f.invariant);
    lines.push("", `✗ ${f.invariant} (${f.kind}) at ${f.path}:${f.line}`, `  ${f.message}`, `  why: ${f.why}`);
    if (inv) lines.push(`  rule: ${summarizeScope(inv)}${inv.header.owner ? ` (owner ${inv.header.owner})` : ""}`);
  }
  if (introduced.length > MAX_LISTED) lines.push("", `…and ${introduced.length - MAX_LISTED} more.`);
  for (const n of policyNotices) lines.push("", `✗ ${n.invariant ?? "policy"}: ${n.message}`);
  for (const e of policyErrors.slice(0, MAX_LISTED)) lines.push("", `✗ ${renderPolicyError(e)}`);
  lines.push("", "Change the edit so it stays inside these rules. Invariant files are changed through human review, not by an agent to get past a check.");
  return { decision: "deny", reason: lines.join("\n"), findings: introduced };
}

function invalidPolicyReason(errors: readonly PolicyError[], from: string): string {
  const shown = errors.slice(0, MAX_LISTED).map((e) => `✗ ${renderPolicyError(e)}`);
  const more = errors.length > MAX_LISTED ? [`…and ${errors.length - MAX_LISTED} more.`] : [];
  return [
    `Plumbline cannot judge this change: the invariant files at ${from} are invalid or unreadable, and Plumbline fails closed.`,
    "",
    ...shown,
    ...more,
    "",
    "A human has to fix the committed invariant files before agent edits can be checked.",
  ].join("\n");
}

