import type { ActorVerdict } from "./actor.js";
import type { Evaluation } from "./evaluate.js";
import type { Finding, InvariantReport, Notice } from "./finding.js";
import { renderMessage } from "./messages/index.js";
import type { PolicyDiffEntry } from "./policy-diff.js";

export type Conclusion = "success" | "failure";

/** The final word on one revision (and, when there is a base, on the change that made it). */
export interface Verdict {
  readonly conclusion: Conclusion;
  readonly policyDigest: string;
  readonly actor: ActorVerdict | null;
  readonly invariants: readonly InvariantReport[];
  /** Head findings with their status, then findings the change resolved. */
  readonly findings: readonly Finding[];
  /** Unwaived `block` findings that decide the conclusion. */
  readonly blocking: readonly Finding[];
  readonly notices: readonly Notice[];
  /** Present when the change edited invariant files. */
  readonly policyDiff: readonly PolicyDiffEntry[] | null;
}

export interface JudgeInput {
  /** The head revision judged by the base policy (or the only policy when there is no base). */
  readonly head: Evaluation;
  /** The base revision judged by the same policy; null for a single-revision check. */
  readonly base: Evaluation | null;
  /** The head judged by the head's own policy, when the change edited invariant files. */
  readonly headUnderOwnPolicy: Evaluation | null;
  readonly policyDiff: readonly PolicyDiffEntry[] | null;
  readonly actor: ActorVerdict | null;
  /** Persisting block findings also fail (default branch, `settings.strict`, or no base). */
  readonly blockPersisting: boolean;
}

/** Compares head with base and decides. Pure; the same inputs give the same verdict everywhere. */
export function judge(input: JudgeInput): Verdict {
  const { head, base } = input;
  const baseByFp = new Map((base?.findings ?? []).map((f) => [f.fingerprint, f]));
  const headFps = new Set(head.findings.map((f) => f.fingerprint));
  const findings: Finding[] = head.findings.map((f) => ({ ...f, status: base ? (baseByFp.has(f.fingerprint) ? "persisting" : "introduced") : "present" }));
  const resolved: Finding[] = base ? base.findings.filter((f) => !f.waiver && !headFps.has(f.fingerprint)).map((f) => ({ ...f, status: "resolved" })) : [];

  const notices: Notice[] = [...head.notices];
  const open = findings.filter((f) => !f.waiver);
  const introduced = open.filter((f) => f.status === "introduced");
  if (resolved.length > 0 && introduced.length > 0) {
    const r = uniq(resolved.map((f) => f.invariant));
    const i = uniq(introduced.map((f) => f.invariant));
    notices.push({
      code: "remediation.broke-another",
      level: introduced.some((f) => f.enforcement === "block") ? "failure" : "warning",
      invariant: null,
      path: null,
      line: null,
      message: renderMessage("remediation.broke-another", { resolved: r.join(", "), introduced: i.join(", ") }),
      evidence: { resolved: resolved.map((f) => f.fingerprint).join(","), introduced: introduced.map((f) => f.fingerprint).join(",") },
    });
  }
  // Anyone may change the policy through review; an agent may not loosen the rules that bind it.
  const weakeningLevel = input.actor?.class === "agent" ? "failure" : "warning";
  if (input.headUnderOwnPolicy) {
    const stillSeen = new Set(input.headUnderOwnPolicy.findings.filter((f) => !f.waiver).map((f) => f.fingerprint));
    const hidden = open.filter((f) => !stillSeen.has(f.fingerprint));
    for (const inv of uniq(hidden.map((f) => f.invariant))) {
      const how = (input.policyDiff ?? []).filter((d) => d.invariant === inv && d.direction === "weaker").map((d) => d.detail).join("; ") || "the invariant files changed";
      notices.push({
        code: "remediation.weakening",
        level: weakeningLevel,
        invariant: inv,
        path: null,
        line: null,
        message: renderMessage("remediation.weakening", { resolved: inv, how }),
        evidence: { fingerprints: hidden.filter((f) => f.invariant === inv).map((f) => f.fingerprint).join(",") },
      });
    }
  }
  for (const d of input.policyDiff ?? []) {
    if (d.direction !== "weaker") continue;
    notices.push({ code: "policy.weakened", level: weakeningLevel, invariant: d.invariant, path: null, line: null, message: renderMessage("policy.weakened", { invariant: d.invariant, detail: d.detail }), evidence: { change: d.change } });
  }

  const blocking = open.filter((f) => f.enforcement === "block" && (f.status === "introduced" || input.blockPersisting || f.code === "engine.evaluator-error"));
  const invariants = head.invariants.map((r) => {
    const mine = open.filter((f) => f.invariant === r.id);
    const count = (s: Finding["status"]) => mine.filter((f) => f.status === s).length;
    const blocks = blocking.some((f) => f.invariant === r.id);
    const status = r.status === "error" ? "error" : blocks ? "fail" : mine.length > 0 ? "warn" : "pass";
    return { ...r, status, counts: { ...r.counts, introduced: count("introduced"), persisting: count("persisting"), present: count("present"), resolved: resolved.filter((f) => f.invariant === r.id).length } } satisfies InvariantReport;
  });
  const failingNotice = notices.some((n) => n.level === "failure");
  return {
    conclusion: blocking.length > 0 || failingNotice ? "failure" : "success",
    policyDigest: head.policyDigest,
    actor: input.actor,
    invariants,
    findings: [...findings, ...resolved],
    blocking,
    notices,
    policyDiff: input.policyDiff,
  };
}

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
