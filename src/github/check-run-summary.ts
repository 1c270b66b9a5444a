import type { CheckOutcome } from "../check/check-revision.js";
import type { ActorVerdict } from "../core/actor.js";
import type { InvariantReport, Notice } from "../core/finding.js";
import type { Verdict } from "../core/judge.js";
import type { PolicyDiffEntry } from "../core/policy-diff.js";
import { renderPolicyError } from "../core/policy-error.js";
import { blockingSet, findingLevel, isAnnotatable, isOpen, type AnnotationLevel } from "./check-run-annotations.js";
import { cell, code, oneLine, plural, sentence } from "./check-run-limits.js";

export type VerdictOutcome = Extract<CheckOutcome, { type: "verdict" }>;

export interface SummaryContext {
  readonly headSha: string;
  readonly trigger: string;
}

/**
 * Lists are bounded one by one so that one runaway section (thousands of invariants or
 * notices) does not push every other section past the 65,535-character cut.
 */
const MAX_ROWS = 250;
const MAX_ITEMS = 100;

export const STATUS: Record<InvariantReport["status"], string> = { pass: "✅ pass", fail: "❌ fail", warn: "⚠️ warn", error: "💥 error" };
export const LEVEL_ICON: Record<AnnotationLevel, string> = { failure: "❌", warning: "⚠️", notice: "ℹ️" };
const STATUS_ORDER: Record<InvariantReport["status"], number> = { error: 0, fail: 1, warn: 2, pass: 3 };

/** Same words as the CLI's first line (`Plumbline PASSED` / `FAILED (…)`), with every reason counted. */
export function verdictHeadline(o: VerdictOutcome): string {
  const v = o.verdict;
  if (v.conclusion === "success") return "Plumbline PASSED";
  const failingNotices = v.notices.filter((n) => n.level === "failure").length;
  const reasons = [
    v.blocking.length ? plural(v.blocking.length, "blocking finding") : "",
    failingNotices ? plural(failingNotices, "failing notice") : "",
    o.headPolicyErrors.length ? plural(o.headPolicyErrors.length, "error") + " in the changed invariant files" : "",
  ].filter(Boolean);
  return `Plumbline FAILED (${reasons.join(", ") || "failure"})`;
}

export function describeActorVerdict(a: ActorVerdict | null): string {
  if (!a) return "not classified (a plain audit of one revision)";
  const who = a.class === "agent" ? `agent ${code(a.agent ?? "unknown")}` : "human";
  const login = a.login ? ` (${code(a.login)})` : "";
  const how = `decided by ${a.signal}: ${code(a.evidence)}`;
  const doubt = a.forgeable ? " — only a forgeable signal (branch name, commit trailer) decided this" : "";
  return `${who}${login}, ${how}${doubt}`;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

/** The verdict's markdown, most decisive sections first so a truncation cuts the least useful. */
export function verdictSummary(o: VerdictOutcome, ctx: SummaryContext): string {
  const v = o.verdict;
  const out: string[] = [];
  out.push(`### ${v.conclusion === "success" ? "✅" : "❌"} ${verdictHeadline(o)}`, "");
  const files = o.policy.files.map((f) => code(f.path)).join(", ") || "none";
  out.push(`**Commit** ${code(shortSha(ctx.headSha))} · **Trigger** ${code(ctx.trigger)} · **Policy** ${code(shortSha(v.policyDigest))} from ${files}  `);
  out.push(`**Actor** ${describeActorVerdict(v.actor)}  `);
  if (o.change) out.push(`**Change** ${plural(o.change.paths.length, "path")} changed from ${code(o.change.baseRev ?? "nothing")} to ${code(o.change.headRev)}  `);
  if (o.headPolicyErrors.length) out.push("", ...headPolicyErrors(o));
  out.push("", ...invariantTable(v, o.change !== null || v.findings.some((f) => f.status !== "present")));
  out.push(...unlocatedFindings(v));
  out.push(...noticeList(v.notices));
  out.push(...policyDiff(v.policyDiff));
  return out.join("\n");
}

function headPolicyErrors(o: VerdictOutcome): string[] {
  const out = ["#### The change breaks the invariant files", "This change leaves invariant files that do not compile; each error is annotated on its line. Merging it would fail every later check closed.", ""];
  for (const e of o.headPolicyErrors.slice(0, MAX_ITEMS)) out.push(`- ❌ ${code(renderPolicyError(e))}`);
  return [...out, ...more(o.headPolicyErrors.length, "error")];
}

function invariantTable(v: Verdict, changeAware: boolean): string[] {
  const head = changeAware ? ["Introduced", "Persisting", "Resolved"] : ["Open"];
  const out = [
    `#### Invariants (${v.invariants.length})`,
    "",
    `| Status | Invariant | Kind | Enforcement | ${head.join(" | ")} | Waived | Coverage |`,
    `|---|---|---|---|${head.map(() => "--:|").join("")}--:|---|`,
  ];
  // Failing rows first: with hundreds of invariants the reader (and the cap) sees them first.
  const rows = v.invariants.map((r, i) => ({ r, i })).sort((a, b) => STATUS_ORDER[a.r.status] - STATUS_ORDER[b.r.status] || Number(b.r.vacuous) - Number(a.r.vacuous) || a.i - b.i);
  for (const { r } of rows.slice(0, MAX_ROWS)) {
    const counts = changeAware ? [r.counts.introduced, r.counts.persisting, r.counts.resolved] : [r.counts.present];
    const coverage = `${r.coverage.matched} ${r.coverage.unit}${r.vacuous ? " ⚠️ **vacuous**" : ""}`;
    out.push(`| ${STATUS[r.status]} | ${cell(code(r.id))} | ${r.kind} | ${r.enforcement} | ${counts.join(" | ")} | ${r.counts.waived} | ${coverage} |`);
  }
  if (rows.length > MAX_ROWS) {
    const rest = rows.slice(MAX_ROWS);
    const failing = rest.filter((x) => x.r.status !== "pass").length;
    out.push("", `_… and ${plural(rest.length, "more invariant")} (${failing} not passing) not shown; their findings are listed in the details below._`);
  }
  return out;
}

/** Open findings GitHub cannot put on a line (deployments, whole-repository facts). */
function unlocatedFindings(v: Verdict): string[] {
  const blocking = blockingSet(v);
  const list = v.findings.filter((f) => isOpen(f) && !isAnnotatable(f.path, f.line));
  if (!list.length) return [];
  const out = ["", "#### Findings without a file line", ""];
  for (const f of list.slice(0, MAX_ITEMS)) {
    const level = findingLevel(f, blocking);
    const status = f.status === "present" ? "" : ` ${f.status}`;
    out.push(`- ${LEVEL_ICON[level]} ${code(f.invariant)} at ${code(f.path)}${status}${level === "failure" ? " **blocking**" : ""}: ${oneLine(`${sentence(f.message)} Why: ${sentence(f.why)}`)}`);
  }
  return [...out, ...more(list.length, "finding")];
}

/** Remediation, weakening and decay notices: the signals a reviewer would otherwise miss. */
function noticeList(notices: readonly Notice[]): string[] {
  if (!notices.length) return [];
  const out = ["", "#### Notices", ""];
  const order: Record<Notice["level"], number> = { failure: 0, warning: 1, notice: 2 };
  const sorted = [...notices].sort((a, b) => order[a.level] - order[b.level]);
  for (const n of sorted.slice(0, MAX_ITEMS)) {
    const where = n.path ? `${code(`${n.path}${n.line ? `:${n.line}` : ""}`)} ` : "";
    out.push(`- ${LEVEL_ICON[n.level]} ${where}**${n.code}**: ${oneLine(sentence(n.message))}`);
  }
  return [...out, ...more(notices.length, "notice")];
}

function policyDiff(diff: readonly PolicyDiffEntry[] | null): string[] {
  if (!diff || !diff.length) return [];
  const rank = { weaker: 0, neutral: 1, stronger: 2 } as const;
  const label = { weaker: "🔻 weaker", neutral: "↔️ changed", stronger: "🔺 stronger" } as const;
  const sorted = [...diff].sort((a, b) => rank[a.direction] - rank[b.direction]);
  const out = [
    "",
    "#### Policy diff",
    "The change edits invariant files. The base branch's policy judged it; this is what the head's files would change (weaker first):",
    "",
    "| Direction | Invariant | Change |",
    "|---|---|---|",
  ];
  for (const d of sorted.slice(0, MAX_ITEMS)) out.push(`| ${label[d.direction]} | ${cell(code(d.invariant))} | ${cell(d.detail)} |`);
  return [...out, ...more(diff.length, "entry", "entries")];
}

function more(total: number, one: string, many?: string): string[] {
  return total > MAX_ITEMS ? ["", `_… and ${plural(total - MAX_ITEMS, `more ${one}`, many ? `more ${many}` : undefined)} not shown here._`] : [];
}
