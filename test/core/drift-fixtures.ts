import type { EvaluationRecord, InvariantRecord, WaiverRecord } from "../../src/core/drift.js";

/** Small builders for decay histories: hours after T0, one invariant record per call. */

export const T0 = Date.parse("2026-03-01T00:00:00Z");
export const H = 3_600_000;
export const at = (h: number) => new Date(T0 + h * H).toISOString();
export const shaOf = (label: string | number) => Buffer.from(String(label)).toString("hex").padEnd(40, "0").slice(0, 40);

export interface InvOver {
  matched?: number;
  unit?: string;
  status?: InvariantRecord["status"];
  enforcement?: InvariantRecord["enforcement"];
  /** Open violations (as `present`); defaults to the number of fingerprints. */
  open?: number;
  fps?: string[];
  truncated?: boolean;
}

export function inv(id: string, o: InvOver = {}): InvariantRecord {
  return {
    id,
    kind: "content",
    enforcement: o.enforcement ?? "block",
    status: o.status ?? "pass",
    coverage: { unit: o.unit ?? "files", matched: o.matched ?? 10 },
    counts: { introduced: 0, persisting: 0, resolved: 0, present: o.open ?? o.fps?.length ?? 0, waived: 0 },
    fingerprints: o.fps ?? [],
    fingerprintsTruncated: o.truncated ?? false,
  };
}

export function waiver(state: WaiverRecord["state"], path = "src/legacy/**", invariant = "a"): WaiverRecord {
  return { invariant, path, expires: "2026-02-01", state, used: state === "active" ? 1 : 0 };
}

/** A default-branch audit at hour `h`. */
export function audit(h: number, invariants: InvariantRecord[], o: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return {
    v: 1,
    at: at(h),
    sha: shaOf(`main-${h}`),
    ref: "refs/heads/main",
    branch: "main",
    trigger: "schedule",
    actor: null,
    policyDigest: "policy-1",
    defaultBranch: true,
    auditIntervalMs: 6 * H,
    invariants,
    waivers: [],
    conclusion: "success",
    ...o,
  };
}

/** A push to `branch` at hour `h`; `agent` null means a human pushed. */
export function push(h: number, branch: string, agent: string | null, invariants: InvariantRecord[], o: Partial<EvaluationRecord> = {}): EvaluationRecord {
  return audit(h, invariants, {
    sha: shaOf(`${branch}-${h}`),
    ref: `refs/heads/${branch}`,
    branch,
    trigger: "push",
    defaultBranch: branch === "main",
    actor: agent ? { class: "agent", agent } : { class: "human", agent: null },
    ...o,
  });
}

export function merge(h: number, prNumber: number, sha: string, checkConclusion: string, branch = "claude/fix"): EvaluationRecord {
  return audit(h, [], { sha, ref: `refs/pull/${prNumber}/head`, branch, trigger: "merge", defaultBranch: false, merged: { prNumber, checkConclusion } });
}
