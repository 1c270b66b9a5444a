import { sha256 } from "./git-blob-sha.js";
import type { Enforcement } from "./invariant-base.js";
import type { Coverage, RawFinding } from "./kind.js";

/** Where a finding stands relative to the base revision; `present` when there is no base. */
export type FindingStatus = "introduced" | "persisting" | "resolved" | "present";

export interface AppliedWaiver {
  readonly path: string;
  readonly owner: string;
  readonly reason: string;
  readonly expires: string;
}

export interface Finding {
  readonly invariant: string;
  readonly kind: string;
  readonly enforcement: Enforcement;
  readonly code: string;
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly why: string;
  readonly evidence: RawFinding["evidence"];
  /** Stable under line shifts: invariant + code + the kind's line-independent key (+ occurrence). */
  readonly fingerprint: string;
  readonly status: FindingStatus;
  readonly waiver: AppliedWaiver | null;
}

export type InvariantStatus = "pass" | "fail" | "warn" | "error";

export interface InvariantReport {
  readonly id: string;
  readonly kind: string;
  readonly enforcement: Enforcement;
  readonly why: string;
  readonly owner: string | null;
  readonly source: { file: string; line: number };
  readonly coverage: Coverage;
  readonly vacuous: boolean;
  readonly status: InvariantStatus;
  readonly counts: { readonly introduced: number; readonly persisting: number; readonly resolved: number; readonly present: number; readonly waived: number };
  /** Set when the evaluator crashed: the invariant fails closed. */
  readonly error: string | null;
}

/** Engine-level observations that are not violations of one invariant's rule. */
export interface Notice {
  readonly code: string;
  readonly level: "notice" | "warning" | "failure";
  readonly message: string;
  readonly invariant: string | null;
  readonly path: string | null;
  readonly line: number | null;
  readonly evidence: RawFinding["evidence"];
}

export function fingerprintOf(invariant: string, code: string, key: string, occurrence: number): string {
  return sha256(`${invariant}\u0000${code}\u0000${key}\u0000${occurrence}`).slice(0, 20);
}
