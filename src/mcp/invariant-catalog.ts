import type { WaiverReport } from "../core/evaluate.js";
import type { CheckOutcome } from "../check/check-revision.js";
import type { CompiledInvariant, CompiledPolicy } from "../core/compile.js";
import type { Finding, InvariantReport } from "../core/finding.js";
import { summarizeScope } from "../hooks/invariant-scope.js";

/**
 * What an agent is told about the invariants before it acts: the committed rules, what each
 * one currently covers, and its waivers. Built from one evaluation of the working tree by the
 * invariants at HEAD, the same policy the hook and the server judge with.
 */

export interface InvariantSummary {
  readonly id: string;
  readonly kind: string;
  readonly enforcement: string;
  readonly why: string;
  readonly owner: string | null;
  readonly source: { file: string; line: number };
  /** The rule in one line (`from: src/core/**; forbid: src/github/**`). */
  readonly scope: string;
  readonly coverage: { unit: string; matched: number };
  readonly vacuous: boolean;
  /** How the working tree stands against it right now. */
  readonly status: string;
  readonly openFindings: number;
  readonly waivers: number;
}

export function listInvariants(outcome: Extract<CheckOutcome, { type: "verdict" }>): InvariantSummary[] {
  return outcome.policy.invariants.map((inv) => {
    const report = reportOf(outcome, inv.header.id);
    return {
      id: inv.header.id,
      kind: inv.header.kind,
      enforcement: inv.header.enforcement,
      why: inv.header.why,
      owner: inv.header.owner,
      source: inv.source,
      scope: summarizeScope(inv),
      coverage: report?.coverage ?? { unit: "files", matched: 0 },
      vacuous: report?.vacuous ?? false,
      status: report?.status ?? "pass",
      openFindings: outcome.verdict.findings.filter((f) => f.invariant === inv.header.id && !f.waiver && f.status !== "resolved").length,
      waivers: outcome.policy.waivers.filter((w) => w.invariant === inv.header.id).length,
    };
  });
}

/** A waiver as evaluate reports it (active, unneeded or expired), with its reason. */
export type WaiverState = Omit<WaiverReport, "invariant"> & { readonly reason: string };

/** The invariant, its rule as written, waivers and current coverage. */
export function explainInvariant(outcome: Extract<CheckOutcome, { type: "verdict" }>, inv: CompiledInvariant, now: Date) {
  const report = reportOf(outcome, inv.header.id);
  const findings = outcome.verdict.findings.filter((f) => f.invariant === inv.header.id && f.status !== "resolved");
  return {
    type: "invariant",
    invariant: { ...summaryHeader(inv), rule: inv.input, scope: summarizeScope(inv) },
    coverage: report?.coverage ?? null,
    vacuous: report?.vacuous ?? null,
    status: report?.status ?? null,
    waivers: waiversOf(outcome.policy, inv.header.id, findings, now),
    findings: findings.slice(0, 50).map(findingView),
    policy: { digest: outcome.verdict.policyDigest, files: outcome.policy.files },
  };
}

export function explainFinding(outcome: Extract<CheckOutcome, { type: "verdict" }>, finding: Finding) {
  const inv = outcome.policy.invariants.find((i) => i.header.id === finding.invariant);
  return { type: "finding", finding: findingView(finding), invariant: inv ? { ...summaryHeader(inv), scope: summarizeScope(inv) } : null };
}

/** A finding as the CLI's JSON report prints it. */
export function findingView(f: Finding) {
  return { invariant: f.invariant, kind: f.kind, enforcement: f.enforcement, status: f.status, code: f.code, path: f.path, line: f.line, column: f.column, message: f.message, why: f.why, fingerprint: f.fingerprint, waiver: f.waiver, evidence: f.evidence };
}

function summaryHeader(inv: CompiledInvariant) {
  return { id: inv.header.id, kind: inv.header.kind, enforcement: inv.header.enforcement, why: inv.header.why, owner: inv.header.owner, source: inv.source };
}

function waiversOf(policy: CompiledPolicy, id: string, findings: readonly Finding[], now: Date): WaiverState[] {
  return policy.waivers
    .filter((w) => w.invariant === id)
    .map((w) => {
      const used = findings.filter((f) => f.waiver?.path === w.path).length;
      const state = w.expiresAt <= now.getTime() ? "expired" : used > 0 ? "active" : "unneeded";
      return { path: w.path, reason: w.reason, owner: w.owner, expires: w.expires, source: w.source, state, used };
    });
}

function reportOf(outcome: Extract<CheckOutcome, { type: "verdict" }>, id: string): InvariantReport | undefined {
  return outcome.verdict.invariants.find((r) => r.id === id);
}
