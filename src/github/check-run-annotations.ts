import type { Finding, Notice } from "../core/finding.js";
import type { Verdict } from "../core/judge.js";
import { renderPolicyError, type PolicyError } from "../core/policy-error.js";
import { capText, clip, MAX_ANNOTATION_MESSAGE, MAX_ANNOTATION_TITLE, sentence } from "./check-run-limits.js";

export type AnnotationLevel = "notice" | "warning" | "failure";

/** One Checks API annotation, in the API's own field names so it is sent as is. */
export interface Annotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: AnnotationLevel;
  readonly title: string;
  readonly message: string;
  readonly raw_details?: string;
}

/**
 * Findings that are not about a file (`deployment:production`) or have no line cannot be
 * annotated: GitHub would reject line 0 and would show a pseudo-path as a missing file.
 */
export function isAnnotatable(path: string | null, line: number | null): path is string {
  return path !== null && path !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(path) && line !== null && line >= 1;
}

/** Open means it still stands at head: not waived and not resolved by the change. */
export function isOpen(f: Finding): boolean {
  return f.waiver === null && f.status !== "resolved";
}

export function blockingSet(v: Verdict): ReadonlySet<string> {
  // By fingerprint, not by reference: verdicts cross process boundaries (jobs, the ledger).
  return new Set(v.blocking.map((f) => f.fingerprint));
}

export function findingLevel(f: Finding, blocking: ReadonlySet<string>): AnnotationLevel {
  if (blocking.has(f.fingerprint)) return "failure";
  return f.enforcement === "observe" ? "notice" : "warning";
}

/** Why a finding has the level it has: the reader must know whether it stops the merge. */
function consequence(f: Finding, level: AnnotationLevel): string {
  if (level === "failure") return "This blocks the merge: fix it, or have the invariant's owner add a waiver (owner, reason, expiry).";
  if (f.enforcement === "block") return "Already on the base branch: reported, but it does not block this change.";
  if (f.enforcement === "warn") return "Enforcement `warn`: reported, never blocks.";
  return "Enforcement `observe`: recorded for the audit, never blocks.";
}

function findingAnnotation(f: Finding, blocking: ReadonlySet<string>): Annotation {
  const level = findingLevel(f, blocking);
  return {
    path: f.path,
    start_line: f.line,
    end_line: f.line,
    annotation_level: level,
    title: clip(f.invariant, MAX_ANNOTATION_TITLE),
    message: capText(`${sentence(f.message)}\nWhy: ${sentence(f.why)}\n${consequence(f, level)}`, MAX_ANNOTATION_MESSAGE, "…"),
    raw_details: `code: ${f.code}\nstatus: ${f.status}\nfingerprint: ${f.fingerprint}`,
  };
}

function noticeAnnotation(n: Notice & { path: string; line: number }): Annotation {
  return {
    path: n.path,
    start_line: n.line,
    end_line: n.line,
    // Decay signals on a file (vacuous selectors, waiver rot, unparsable files) need attention
    // even when they are only notices; a failure-level notice keeps its weight.
    annotation_level: n.level === "failure" ? "failure" : "warning",
    title: clip(n.invariant ? `${n.invariant} (${n.code})` : n.code, MAX_ANNOTATION_TITLE),
    message: capText(sentence(n.message), MAX_ANNOTATION_MESSAGE, "…"),
    raw_details: `code: ${n.code}`,
  };
}

/** Invariant files that fail to parse or compile: one failure on the offending YAML line each. */
export function policyErrorAnnotations(errors: readonly PolicyError[], title = "Invalid invariant file"): Annotation[] {
  return errors.map((e) => ({
    path: e.file,
    start_line: Math.max(1, e.line),
    end_line: Math.max(1, e.line),
    annotation_level: "failure",
    title,
    message: capText(renderPolicyError(e), MAX_ANNOTATION_MESSAGE, "…"),
    raw_details: `field: ${e.field || "(whole file)"}\nexpected: ${e.expected}${e.allowed ? `\nallowed: ${e.allowed}` : ""}`,
  }));
}

const LEVEL_RANK: Record<AnnotationLevel, number> = { failure: 0, warning: 1, notice: 2 };

/**
 * Every line-located problem of a verdict, most severe first: when the cap drops some, the
 * ones that block the merge are the ones still shown.
 */
export function verdictAnnotations(v: Verdict, headPolicyErrors: readonly PolicyError[]): Annotation[] {
  const blocking = blockingSet(v);
  const located = v.findings.filter((f) => isOpen(f) && isAnnotatable(f.path, f.line));
  const introducedFirst = (f: Finding) => (f.status === "introduced" ? 0 : f.status === "present" ? 1 : 2);
  const ranked = located.map((f, i) => ({ a: findingAnnotation(f, blocking), k: introducedFirst(f), i }));
  const notices = v.notices.filter((n): n is Notice & { path: string; line: number } => isAnnotatable(n.path, n.line));
  ranked.push(...notices.map((n, i) => ({ a: noticeAnnotation(n), k: 1, i: located.length + i })));
  ranked.sort((x, y) => LEVEL_RANK[x.a.annotation_level] - LEVEL_RANK[y.a.annotation_level] || x.k - y.k || x.i - y.i);
  return [...policyErrorAnnotations(headPolicyErrors, "The change breaks this invariant file"), ...ranked.map((r) => r.a)];
}
