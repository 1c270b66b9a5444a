import type { Finding } from "../core/finding.js";
import type { Verdict } from "../core/judge.js";
import { blockingSet, findingLevel } from "./check-run-annotations.js";
import { capText, code, MAX_OUTPUT_CHARS, oneLine, sentence } from "./check-run-limits.js";
import { LEVEL_ICON, STATUS } from "./check-run-summary.js";

/**
 * The check run's `text`: every finding, grouped by invariant like the CLI's report, waived
 * and resolved ones included. It is the only place a finding past the annotation cap or on
 * no file line is still listed one by one.
 */
export function verdictDetails(v: Verdict): string {
  const blocking = blockingSet(v);
  const out: string[] = [];
  for (const r of v.invariants) {
    const mine = v.findings.filter((f) => f.invariant === r.id);
    if (!mine.length && !r.error) continue;
    out.push(`### ${STATUS[r.status]} ${code(r.id)} (${r.kind}, ${r.enforcement})`, "", `Why: ${sentence(r.why)}${r.owner ? ` Owner: ${r.owner}.` : ""}`, "");
    if (r.error) out.push(`- 💥 the evaluator failed (${r.error}); the invariant fails closed until this is fixed`);
    for (const f of mine) out.push(`- ${line(f, blocking)}`);
    out.push("");
  }
  if (!out.length) return "";
  return capText(["## Findings", "", ...out].join("\n").trimEnd(), MAX_OUTPUT_CHARS);
}

function line(f: Finding, blocking: ReadonlySet<string>): string {
  return oneLine(item(f, blocking));
}

function item(f: Finding, blocking: ReadonlySet<string>): string {
  const where = code(f.line > 0 ? `${f.path}:${f.line}:${f.column}` : f.path);
  if (f.waiver) return `💤 ${where} waived until ${f.waiver.expires} by ${f.waiver.owner} (${f.waiver.reason}): ${sentence(f.message)}`;
  if (f.status === "resolved") return `✔️ ${where} resolved by this change: ${sentence(f.message)}`;
  const level = findingLevel(f, blocking);
  const status = f.status === "present" ? "" : ` ${f.status}`;
  return `${LEVEL_ICON[level]} ${where}${status}${level === "failure" ? " **blocking**" : ""}: ${sentence(f.message)}`;
}
