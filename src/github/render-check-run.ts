import type { CheckOutcome } from "../check/check-revision.js";
import { kinds } from "../core/kinds/index.js";
import { isOpen, policyErrorAnnotations, verdictAnnotations, type Annotation } from "./check-run-annotations.js";
import { verdictDetails } from "./check-run-details.js";
import { capText, cell, clip, code, DEFAULT_MAX_ANNOTATIONS, MAX_OUTPUT_CHARS, MAX_TITLE, oneLine, plural } from "./check-run-limits.js";
import { shortSha, verdictHeadline, verdictSummary, type VerdictOutcome } from "./check-run-summary.js";

export type { Annotation, AnnotationLevel } from "./check-run-annotations.js";

export interface RenderCheckRunInput {
  readonly outcome: CheckOutcome;
  readonly headSha: string;
  /** What started the evaluation: `push`, `pull_request`, `merge_group`, `schedule`, `rerun`… */
  readonly trigger: string;
  /** The provenance ledger entry for this verdict; printed so GitHub holds an external anchor. */
  readonly ledger?: { readonly entryId: string; readonly headHash: string } | null;
  /** A newer commit on the same branch whose run carries the verdict instead. */
  readonly supersededBy?: string | null;
  /** A violation loop detected on this branch (the same fingerprint on consecutive agent pushes). */
  readonly loop?: string | null;
  /** The evaluation could not finish (evaluator crash, GitHub unreachable after retries). */
  readonly error?: string | null;
  /** Annotations kept, most severe first; the summary counts the rest. Default 500. */
  readonly maxAnnotations?: number;
}

/** Only conclusions Plumbline decides; required checks pass on success, neutral and skipped. */
export type CheckRunConclusion = "success" | "failure" | "neutral" | "cancelled";

export interface RenderedCheckRun {
  readonly conclusion: CheckRunConclusion;
  readonly title: string;
  readonly summary: string;
  readonly text: string;
  readonly annotations: readonly Annotation[];
  /** Line problems left out by the annotation cap; the summary says how many. */
  readonly annotationsOmitted: number;
}

interface Body {
  readonly conclusion: CheckRunConclusion;
  readonly title: string;
  readonly body: string;
  readonly text: string;
  readonly annotations: readonly Annotation[];
}

/**
 * Room kept after the capped body for what must survive any truncation: the omitted-annotations
 * line (rewritten by `capAnnotations`) and the publisher's idempotence marker.
 */
const SUMMARY_RESERVE = 400;
/** Hidden from readers; lets `capAnnotations` replace the omitted line without re-rendering. */
const OMITTED_MARK = "\n\n<!-- plumbline:omitted -->\n";

/** Pure: a CheckOutcome (or why there is none) → the Plumbline check run's conclusion and output. */
export function renderCheckRun(input: RenderCheckRunInput): RenderedCheckRun {
  const b = renderBody(input);
  const ledger = input.ledger ? `\n\n---\n**Ledger** entry ${code(input.ledger.entryId)} · chain head ${code(input.ledger.headHash)}` : "";
  const summary = capText(b.body, MAX_OUTPUT_CHARS - ledger.length - SUMMARY_RESERVE) + ledger;
  const full: RenderedCheckRun = { conclusion: b.conclusion, title: clip(b.title, MAX_TITLE), summary, text: b.text, annotations: b.annotations, annotationsOmitted: 0 };
  return capAnnotations(full, input.maxAnnotations ?? DEFAULT_MAX_ANNOTATIONS);
}

/** Keeps the first `max` annotations (they come most severe first) and says in the summary how many were left out. */
export function capAnnotations(r: RenderedCheckRun, max: number): RenderedCheckRun {
  const keep = Math.max(0, Math.floor(max));
  if (r.annotations.length <= keep) return r;
  const omitted = r.annotationsOmitted + r.annotations.length - keep;
  // The last mark is ours: user text never reaches the summary with blank lines in it.
  const at = r.summary.lastIndexOf(OMITTED_MARK);
  const base = at < 0 ? r.summary : r.summary.slice(0, at);
  const line = `${OMITTED_MARK}**${plural(omitted, "more annotation")} not shown**: a run carries at most ${keep}, the most severe first. Run \`plumbline check\` locally to see every one.`;
  return { ...r, summary: capText(base, MAX_OUTPUT_CHARS - line.length) + line, annotations: r.annotations.slice(0, keep), annotationsOmitted: omitted };
}

function renderBody(input: RenderCheckRunInput): Body {
  const meta = `**Commit** ${code(shortSha(input.headSha))} · **Trigger** ${code(input.trigger)}`;
  // A stale commit must never turn green: its result is withdrawn, not reported.
  if (input.supersededBy) return superseded(input.supersededBy, meta);
  if (input.error) return failedToEvaluate(input.error, meta);
  const o = input.outcome;
  if (o.type === "invalid-policy") return invalidPolicy(o, meta);
  if (o.type === "no-policy") return noPolicy(o, meta);
  return verdict(o, input);
}

function superseded(successor: string, meta: string): Body {
  return {
    conclusion: "cancelled",
    title: `Superseded by ${shortSha(successor)}`,
    body: [
      `### ⏭️ Plumbline: superseded by ${code(shortSha(successor))}`,
      "",
      `${meta}  `,
      "",
      `A newer commit, ${code(successor)}, was pushed to this branch; its Plumbline check carries the verdict. This run is cancelled rather than concluded: a commit that was not judged to the end never passes.`,
    ].join("\n"),
    text: "",
    annotations: [],
  };
}

function failedToEvaluate(error: string, meta: string): Body {
  return {
    conclusion: "failure",
    title: `Could not evaluate this commit: ${error}`,
    body: [
      "### ❌ Plumbline FAILED: this commit could not be evaluated",
      "",
      `${meta}  `,
      "",
      "**Reason**",
      "",
      fenced(error),
      "",
      "Plumbline fails closed: a commit it could not judge never passes. Nothing was concluded about the code itself. Once the cause is fixed, press **Re-run** on this check or push again.",
    ].join("\n"),
    text: "",
    annotations: [],
  };
}

function invalidPolicy(o: Extract<CheckOutcome, { type: "invalid-policy" }>, meta: string): Body {
  const rows = o.errors.slice(0, 200).map((e) => `| ${cell(code(e.file))} | ${e.line} | ${e.field ? cell(code(e.field)) : "(whole file)"} | ${cell(e.expected)} | ${e.allowed ? cell(e.allowed) : "—"} |`);
  const rest = o.errors.length - rows.length;
  return {
    conclusion: "failure",
    title: `Invalid invariant files (${plural(o.errors.length, "error")})`,
    body: [
      "### ❌ Plumbline FAILED: the invariant files are invalid",
      "",
      `${meta} · **Policy from** ${code(o.policyFrom)}  `,
      "",
      `The invariant files (from ${code(o.policyFrom)}) are invalid; nothing was evaluated. Plumbline fails closed: this check fails until they are fixed. Each error is annotated on its line.`,
      "A change is judged by the invariant files of its base, so a broken file on the base branch must be fixed there first.",
      "",
      "| File | Line | Field | Expected | Allowed |",
      "|---|--:|---|---|---|",
      ...rows,
      ...(rest > 0 ? ["", `_… and ${plural(rest, "more error")} not shown here._`] : []),
    ].join("\n"),
    text: "",
    annotations: policyErrorAnnotations(o.errors),
  };
}

const EXAMPLE = `version: 1
invariants:
  - id: core-is-pure
    kind: import-boundary
    why: The core is evaluated everywhere; it must not reach I/O.
    from: ["src/core/**"]
    forbid: ["src/github/**", "ioredis"]`;

function noPolicy(o: Extract<CheckOutcome, { type: "no-policy" }>, meta: string): Body {
  return {
    conclusion: "neutral",
    title: "No invariants to enforce",
    body: [
      "### Plumbline: no invariants to enforce",
      "",
      `${meta}  `,
      "",
      `No invariant files in ${code(o.policyFrom)} (looked for \`invariants/*.yml\` and \`.github/invariants/*.yml\`, \`.yaml\` too); nothing was evaluated, so this check is neutral and blocks nothing.`,
      "",
      "To start, commit a file such as `invariants/architecture.yml`:",
      "",
      "```yaml",
      EXAMPLE,
      "```",
      "",
      `Kinds: ${Object.keys(kinds).sort().map(code).join(", ")}. A change is judged by the invariant files of its base, so new rules apply to the changes that follow the one adding them.`,
    ].join("\n"),
    text: "",
    annotations: [],
  };
}

function verdict(o: VerdictOutcome, input: RenderCheckRunInput): Body {
  const v = o.verdict;
  const loop = input.loop ? `\n\n> ⚠️ **Violation loop**: ${oneLine(input.loop)}` : "";
  const body = verdictSummary(o, { headSha: input.headSha, trigger: input.trigger });
  const firstBreak = body.indexOf("\n\n#### ");
  return {
    conclusion: v.conclusion,
    title: verdictTitle(o),
    // The loop goes right under the header lines: the agent pushing again is the one to read it.
    body: firstBreak < 0 ? body + loop : body.slice(0, firstBreak) + loop + body.slice(firstBreak),
    text: verdictDetails(v),
    annotations: verdictAnnotations(v, o.headPolicyErrors),
  };
}

function verdictTitle(o: VerdictOutcome): string {
  const v = o.verdict;
  if (v.conclusion === "failure") {
    if (v.blocking.length) {
      const ids = [...new Set(v.blocking.map((f) => f.invariant))];
      return `${plural(v.blocking.length, "blocking finding")}: ${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ` and ${ids.length - 3} more` : ""}`;
    }
    if (o.headPolicyErrors.length) return `The change breaks the invariant files (${plural(o.headPolicyErrors.length, "error")})`;
    const failing = v.notices.filter((n) => n.level === "failure");
    if (failing.length) return `${plural(failing.length, "failing notice")}: ${[...new Set(failing.map((n) => n.code))].join(", ")}`;
    return verdictHeadline(o);
  }
  const open = v.findings.filter(isOpen).length;
  const n = v.invariants.length;
  if (open) return `${plural(n, "invariant")} checked, ${plural(open, "non-blocking finding")}`;
  return n === 1 ? "1 invariant holds" : `All ${n} invariants hold`;
}

function fenced(s: string): string {
  const runs = s.match(/`{3,}/g) ?? [];
  const fence = "`".repeat(Math.max(3, ...runs.map((r) => r.length + 1)));
  return `${fence}\n${s}\n${fence}`;
}
