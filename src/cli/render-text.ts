import type { CheckOutcome } from "../check/check-revision.js";
import type { Finding, InvariantReport } from "../core/finding.js";
import { renderPolicyError } from "../core/policy-error.js";

const MARK: Record<InvariantReport["status"], string> = { pass: "✓", fail: "✗", warn: "!", error: "✗" };

/** Human-readable report, grouped by invariant, with file:line and the invariant's `why`. */
export function renderText(outcome: CheckOutcome): string {
  const out: string[] = [];
  if (outcome.type === "invalid-policy") {
    out.push(`plumbline: the invariant files (from ${outcome.policyFrom}) are invalid; nothing was evaluated:`);
    for (const e of outcome.errors) out.push(`  ${renderPolicyError(e)}`);
    return out.join("\n") + "\n";
  }
  if (outcome.type === "no-policy") {
    return `plumbline: no invariant files in ${outcome.policyFrom} (looked for invariants/*.yml and .github/invariants/*.yml); nothing to enforce.\n`;
  }
  const v = outcome.verdict;
  const head = v.conclusion === "success" ? "PASSED" : `FAILED (${v.blocking.length} blocking finding${v.blocking.length === 1 ? "" : "s"})`;
  out.push(`Plumbline ${head}  policy ${v.policyDigest.slice(0, 12)} (${outcome.policy.files.map((f) => f.path).join(", ")})`);
  if (v.actor) out.push(`actor: ${v.actor.class}${v.actor.agent ? ` ${v.actor.agent}` : ""} (decided by ${v.actor.signal}: ${v.actor.evidence})`);
  if (outcome.change) out.push(`change: ${outcome.change.paths.length} path(s) from ${outcome.change.baseRev} to ${outcome.change.headRev}`);
  out.push("");
  for (const r of v.invariants) {
    const counts = Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ") || "no findings";
    out.push(`${MARK[r.status]} ${r.id} [${r.kind}, ${r.enforcement}] ${counts}; coverage ${r.coverage.matched} ${r.coverage.unit}${r.vacuous ? " (VACUOUS)" : ""}`);
    const mine = v.findings.filter((f) => f.invariant === r.id);
    if (mine.length > 0 || r.error) out.push(`    why: ${r.why}`);
    if (r.error) out.push(`    evaluator error: ${r.error}`);
    for (const f of mine) out.push(`    ${line(f, v.blocking.includes(f))}`);
  }
  if (v.notices.length) {
    out.push("", "Notices:");
    for (const n of v.notices) out.push(`  ${n.level === "failure" ? "✗" : n.level === "warning" ? "!" : "-"} ${n.path ? `${n.path}${n.line ? `:${n.line}` : ""}: ` : ""}${n.message}`);
  }
  if (v.policyDiff && v.policyDiff.length) {
    out.push("", "Policy diff (head's invariant files vs the base policy that judged this change):");
    for (const d of v.policyDiff) out.push(`  ${d.direction === "weaker" ? "weaker  " : d.direction === "stronger" ? "stronger" : "changed "} ${d.invariant}: ${d.detail}`);
  }
  if (outcome.headPolicyErrors.length) {
    out.push("", "The change breaks the invariant files:");
    for (const e of outcome.headPolicyErrors) out.push(`  ${renderPolicyError(e)}`);
  }
  return out.join("\n") + "\n";
}

function line(f: Finding, blocking: boolean): string {
  const status = f.status === "present" ? "" : ` ${f.status}`;
  const waived = f.waiver ? ` (waived until ${f.waiver.expires} by ${f.waiver.owner}: ${f.waiver.reason})` : "";
  return `${f.path}:${f.line}:${f.column}${status}${blocking ? " BLOCKING" : ""} ${f.message}${waived}`;
}
