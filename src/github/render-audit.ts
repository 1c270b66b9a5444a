import { collapseBySha, invariantOf, isEvaluation, openCount, type EvaluationRecord } from "../core/decay-record.js";
import type { DecaySignal, DecayType, ViolationLoopSignal } from "../core/decay-signal.js";
import { capText, cell, clip, code, MAX_OUTPUT_CHARS, MAX_TITLE, plural } from "./check-run-limits.js";
import type { RenderedCheckRun } from "./render-check-run.js";

/** Name of the check run the scheduled audit publishes on the default branch's tip. */
export const AUDIT_CHECK_RUN_NAME = "Plumbline audit";

export interface RenderAuditInput {
  readonly signals: readonly DecaySignal[];
  /** The repository's history, oldest first (what the signals were detected from). */
  readonly history: readonly EvaluationRecord[];
  /** Default-branch evaluations shown in the trend sparklines. Default 20. */
  readonly trendLength?: number;
  /** Limit of each of summary and text; the Checks API's 65,535 by default. */
  readonly limit?: number;
}

/**
 * A RenderedCheckRun, so publishCheckRun takes it as is. Conclusion `neutral` when anything
 * decayed, else `success`: decay is a slow trend to act on, not a reason to block the merge in
 * front of you (required checks treat neutral as passing). No annotations: signals are about
 * the repository over time, not about lines of this commit.
 */
export type RenderedAudit = RenderedCheckRun & { readonly conclusion: "success" | "neutral" };

const LABEL: Readonly<Record<DecayType, string>> = {
  vacuous: "vacuous",
  "shrinking-coverage": "shrinking coverage",
  "waiver-rot": "waiver rot",
  eroding: "eroding",
  bypassed: "bypassed",
  silent: "silent",
  "violation-loop": "violation loop",
};

const TRUNCATED = "\n\n**… truncated**: this audit exceeded GitHub's size limit. Run `plumbline drift --repo <owner/name> --format json` for everything.";

/** The audit check run: signals and trends in the summary, loop chains (the long part) in the text. Pure. */
export function renderAudit(input: RenderAuditInput): RenderedAudit {
  const { signals } = input;
  const limit = input.limit ?? MAX_OUTPUT_CHARS;
  const evaluations = input.history.filter(isEvaluation);
  const summary = capText([renderSignals(signals, evaluations), renderTrends(input.history, input.trendLength ?? 20)].filter(Boolean).join("\n\n"), limit, TRUNCATED);
  const text = capText(renderLoops(signals.filter((s): s is ViolationLoopSignal => s.type === "violation-loop")), limit, TRUNCATED);
  return { title: clip(titleOf(signals), MAX_TITLE), summary, text, annotations: [], annotationsOmitted: 0, conclusion: signals.length > 0 ? "neutral" : "success" };
}

/** The dashboard issue's body: the same report in one document, with when it was made. */
export function renderDashboard(input: RenderAuditInput & { readonly now: Date }): string {
  const r = renderAudit({ ...input, limit: Number.MAX_SAFE_INTEGER });
  const stamp = `_Updated ${input.now.toISOString().slice(0, 16).replace("T", " ")} UTC by the scheduled audit. Turn it off with \`settings.dashboard: false\`._`;
  return capText([`# ${r.title}`, stamp, r.summary, r.text].filter(Boolean).join("\n\n"), input.limit ?? MAX_OUTPUT_CHARS, TRUNCATED);
}

function titleOf(signals: readonly DecaySignal[]): string {
  if (signals.length === 0) return "No decay: every invariant still covers code and holds its ground";
  const byType = new Map<DecayType, number>();
  for (const s of signals) byType.set(s.type, (byType.get(s.type) ?? 0) + 1);
  return `${plural(signals.length, "decay signal")}: ${[...byType].map(([t, n]) => `${n} ${LABEL[t]}`).join(", ")}`;
}

function renderSignals(signals: readonly DecaySignal[], evaluations: readonly EvaluationRecord[]): string {
  const span = evaluations.length ? ` (${day(evaluations[0]!.at)} → ${day(evaluations.at(-1)!.at)})` : "";
  const head = `## Decay signals\n\n${plural(evaluations.length, "evaluation")} in history${span}.`;
  if (signals.length === 0) return `${head} Nothing decayed.`;
  const rows = signals.map((s) => `| ${LABEL[s.type]} | ${s.invariant ? code(s.invariant) : "—"} | ${s.branch ? code(s.branch) : "—"} | ${day(s.firstSeen)} | ${cell(s.evidence.message)} |`);
  return [head, "", "| signal | invariant | branch | since | evidence |", "|---|---|---|---|---|", ...rows].join("\n");
}

/**
 * Per invariant of the latest default-branch evaluation: coverage and open violations over the
 * last N distinct default-branch revisions, as sparklines (`·` where it was not evaluated).
 */
function renderTrends(history: readonly EvaluationRecord[], n: number): string {
  const revisions = collapseBySha(history.filter((r) => isEvaluation(r) && r.defaultBranch)).slice(-Math.max(1, n));
  const latest = revisions.at(-1);
  if (!latest || latest.invariants.length === 0) return "";
  const rows = latest.invariants.map((inv) => {
    const points = revisions.map((r) => {
      const x = invariantOf(r, inv.id);
      return x && x.status !== "error" && x.coverage.unit === inv.coverage.unit ? x : null;
    });
    const coverage = points.map((x) => (x ? x.coverage.matched : null));
    const open = points.map((x) => (x ? openCount(x) : null));
    const maxCoverage = Math.max(0, ...coverage.map((v) => v ?? 0));
    return `| ${code(inv.id)} | ${inv.enforcement} | ${code(sparkline(coverage))} | ${inv.coverage.matched} ${inv.coverage.unit} (max ${maxCoverage}) | ${code(sparkline(open))} | ${openCount(inv)} |`;
  });
  return [
    `## Trends\n\nLast ${plural(revisions.length, "default-branch revision")}, oldest first.`,
    "",
    "| invariant | enforcement | coverage | now | open violations | now |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

function renderLoops(loops: readonly ViolationLoopSignal[]): string {
  if (loops.length === 0) return "";
  const blocks = loops.map((s) => {
    const d = s.evidence.data;
    const rows = d.chain.map((l) => `| ${code(l.sha.slice(0, 7))} | ${l.at.slice(0, 16).replace("T", " ")} | ${cell(l.actor)} | ${fps(l.introduced)} | ${fps(l.resolved)} | ${l.open.length} |`);
    return [
      `<details><summary>${escapeHtml(s.invariant ?? "")} on ${escapeHtml(s.branch ?? "")}: ${d.pattern}, ${plural(d.chain.length, "push", "pushes")}</summary>`,
      "",
      "| commit | at (UTC) | by | introduced | resolved | open |",
      "|---|---|---|---|---|---|",
      ...rows,
      "",
      "</details>",
    ].join("\n");
  });
  return ["## Violation loops", "", ...blocks].join("\n");
}

const BARS = "▁▂▃▄▅▆▇█";

/** Values scaled between the series' own min and max; a flat series sits low when zero, mid otherwise. */
export function sparkline(values: readonly (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return values
    .map((v) => {
      if (v === null) return "·";
      if (hi === lo) return v === 0 ? BARS[0] : BARS[3];
      return BARS[Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))];
    })
    .join("");
}

function fps(list: readonly string[]): string {
  if (list.length === 0) return "";
  const shown = list.slice(0, 3).map((f) => code(f.slice(0, 8)));
  return list.length > 3 ? `${shown.join(" ")} +${list.length - 3}` : shown.join(" ");
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Summary lines of `<details>` are HTML: ids and branch names are user text. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
