import type { CompiledInvariant, CompiledPolicy, CompiledWaiver } from "./compile.js";
import { fingerprintOf, type Finding, type InvariantReport, type Notice } from "./finding.js";
import type { Coverage, EvaluationInput, RawFinding } from "./kind.js";
import { renderMessage } from "./messages/index.js";

export interface WaiverReport {
  readonly invariant: string;
  readonly path: string;
  readonly owner: string;
  readonly expires: string;
  readonly source: { file: string; line: number };
  readonly state: "active" | "expired" | "unneeded";
  readonly used: number;
}

/** One revision judged by one policy. */
export interface Evaluation {
  readonly policyDigest: string;
  readonly invariants: readonly InvariantReport[];
  /** Every finding, waived ones included (their `waiver` is set); sorted by path, line. */
  readonly findings: readonly Finding[];
  readonly waivers: readonly WaiverReport[];
  readonly notices: readonly Notice[];
}

/**
 * evaluate stage: every invariant over one snapshot. Pure: `now` is passed in so waiver expiry
 * is reproducible. One invariant's crash fails that invariant closed; the others still run.
 */
export function evaluatePolicy(policy: CompiledPolicy, input: EvaluationInput, now: Date): Evaluation {
  const findings: Finding[] = [];
  const reports: InvariantReport[] = [];
  const notices: Notice[] = [];
  const waiverUse = new Map<CompiledWaiver, number>();
  const t = now.getTime();

  for (const inv of policy.invariants) {
    const { raw, coverage, error } = runKind(inv, input);
    const own = fingerprinted(inv, raw).map((f) => {
      const waiver = policy.waivers.find((w) => w.invariant === inv.header.id && w.expiresAt > t && w.glob.test(f.path)) ?? null;
      if (waiver) waiverUse.set(waiver, (waiverUse.get(waiver) ?? 0) + 1);
      return { ...f, waiver: waiver ? { path: waiver.path, owner: waiver.owner, reason: waiver.reason, expires: waiver.expires } : null };
    });
    findings.push(...own);
    const open = own.filter((f) => !f.waiver).length;
    const vacuous = error === null && coverage.matched === 0;
    if (vacuous) {
      notices.push({
        code: "coverage.vacuous",
        level: "warning",
        invariant: inv.header.id,
        path: inv.source.file,
        line: inv.source.line,
        message: renderMessage("coverage.vacuous", { invariant: inv.header.id, unit: coverage.unit }),
        evidence: { unit: coverage.unit, matched: 0 },
      });
    }
    reports.push({
      id: inv.header.id,
      kind: inv.header.kind,
      enforcement: inv.header.enforcement,
      why: inv.header.why,
      owner: inv.header.owner,
      source: inv.source,
      coverage,
      vacuous,
      status: error !== null ? "error" : open === 0 ? "pass" : inv.header.enforcement === "block" ? "fail" : "warn",
      counts: { introduced: 0, persisting: 0, resolved: 0, present: open, waived: own.length - open },
      error,
    });
  }

  if (policy.reads.has("imports") || policy.reads.has("dependencies")) {
    for (const p of input.snapshot.problems) {
      notices.push({
        code: "snapshot.unparsable",
        level: "warning",
        invariant: null,
        path: p.path,
        line: p.line,
        message: renderMessage("snapshot.unparsable", { reason: p.reason }),
        evidence: { reason: p.reason },
      });
    }
  }

  const waivers: WaiverReport[] = policy.waivers.map((w) => {
    const used = waiverUse.get(w) ?? 0;
    const state = w.expiresAt <= t ? "expired" : used === 0 ? "unneeded" : "active";
    if (state !== "active") {
      const code = state === "expired" ? "waiver.expired" : "waiver.unneeded";
      notices.push({
        code,
        level: "warning",
        invariant: w.invariant,
        path: w.source.file,
        line: w.source.line,
        message: renderMessage(code, { invariant: w.invariant, path: w.path, expires: w.expires }),
        evidence: { invariant: w.invariant, path: w.path, expires: w.expires },
      });
    }
    return { invariant: w.invariant, path: w.path, owner: w.owner, expires: w.expires, source: w.source, state, used };
  });

  findings.sort(byLocation);
  return { policyDigest: policy.digest, invariants: reports, findings, waivers, notices };
}

function runKind(inv: CompiledInvariant, input: EvaluationInput): { raw: readonly RawFinding[]; coverage: Coverage; error: string | null } {
  try {
    const out = inv.module.evaluate(inv.compiled, input);
    return { raw: out.findings, coverage: out.coverage, error: null };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const raw: RawFinding = { code: "engine.evaluator-error", path: inv.source.file, line: inv.source.line, column: 1, evidence: { invariant: inv.header.id, error: message }, key: "evaluator-error" };
    return { raw: [raw], coverage: { unit: "files", matched: 0 }, error: message };
  }
}

/** Numbers repeated keys in line order so two identical violations in one file stay distinct. */
function fingerprinted(inv: CompiledInvariant, raw: readonly RawFinding[]): Finding[] {
  const seen = new Map<string, number>();
  return [...raw].sort(byLocation).map((r) => {
    const n = seen.get(r.key) ?? 0;
    seen.set(r.key, n + 1);
    const enforcement = r.code === "engine.evaluator-error" ? "block" : inv.header.enforcement;
    return {
      invariant: inv.header.id,
      kind: inv.header.kind,
      enforcement,
      code: r.code,
      path: r.path,
      line: r.line,
      column: r.column,
      message: renderMessage(r.code, r.evidence),
      why: inv.header.why,
      evidence: r.evidence,
      fingerprint: fingerprintOf(inv.header.id, r.code, r.key, n),
      status: "present",
      waiver: null,
    };
  });
}

function byLocation(a: { path: string; line: number; column: number }, b: { path: string; line: number; column: number }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column;
}
