import { z } from "zod";
import { ENFORCEMENTS } from "./invariant-base.js";

/**
 * One evaluation as remembered for decay tracking: small, numeric, no finding text (history is
 * kept per repository for hundreds of evaluations, and messages can quote source code).
 *
 * The schema validates records read back from the store (the edge where they re-enter the
 * process). Objects are not strict on purpose: a record written by a newer engine with an extra
 * field must still be readable by an older worker during a rolling deploy.
 */

const count = z.number().int().nonnegative();
const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO timestamp");

export const WAIVER_STATES = ["active", "expired", "unneeded", "orphaned"] as const;

export const invariantRecordSchema = z.object({
  id: z.string(),
  kind: z.string(),
  enforcement: z.enum(ENFORCEMENTS),
  status: z.enum(["pass", "fail", "warn", "error"]),
  // A unit added by a future kind must not make old history unreadable.
  coverage: z.object({ unit: z.string(), matched: count }),
  counts: z.object({ introduced: count, persisting: count, resolved: count, present: count, waived: count }),
  /** Fingerprints of open (unwaived, unresolved) findings, sorted, at most `MAX_FINGERPRINTS`. */
  fingerprints: z.array(z.string()),
  /** More findings were open than stored: absence from `fingerprints` proves nothing then. */
  fingerprintsTruncated: z.boolean(),
});

export const waiverRecordSchema = z.object({
  invariant: z.string(),
  path: z.string(),
  expires: z.string(),
  state: z.enum(WAIVER_STATES),
  used: count,
});

export const evaluationRecordSchema = z.object({
  /** Record format version, so a later format can be migrated on read. */
  v: z.literal(1),
  at: iso,
  sha: z.string(),
  ref: z.string(),
  branch: z.string().nullable(),
  trigger: z.string(),
  /** Null for evaluations with no change author (audits, installation). */
  actor: z.object({ class: z.enum(["human", "agent"]), agent: z.string().nullable() }).nullable(),
  policyDigest: z.string(),
  defaultBranch: z.boolean(),
  /** settings.auditInterval of the policy that judged, so readers without the policy know it. */
  auditIntervalMs: z.number().int().positive(),
  invariants: z.array(invariantRecordSchema),
  waivers: z.array(waiverRecordSchema),
  conclusion: z.enum(["success", "failure"]),
  /** Set on merge markers only (no invariants): a PR merged, with its check's conclusion then. */
  merged: z.object({ prNumber: z.number().int().positive(), checkConclusion: z.string() }).optional(),
});

export type EvaluationRecord = z.infer<typeof evaluationRecordSchema>;
export type InvariantRecord = z.infer<typeof invariantRecordSchema>;
export type WaiverRecord = z.infer<typeof waiverRecordSchema>;
export type WaiverState = (typeof WAIVER_STATES)[number];

/** Per invariant, so one noisy rule cannot make a record (and the whole history) huge. */
export const MAX_FINGERPRINTS = 200;

/** Check conclusions that block a merge when the check is required: merging past one is a bypass. */
export const BLOCKING_CHECK_CONCLUSIONS: ReadonlySet<string> = new Set(["failure", "action_required"]);

export function isEvaluation(r: EvaluationRecord): boolean {
  return r.merged === undefined;
}

export function isMerge(r: EvaluationRecord): r is EvaluationRecord & { merged: NonNullable<EvaluationRecord["merged"]> } {
  return r.merged !== undefined;
}

export function invariantOf(r: EvaluationRecord, id: string): InvariantRecord | undefined {
  return r.invariants.find((i) => i.id === id);
}

/**
 * Open violations of one invariant at one revision. Audits have no base, so their findings are
 * all `present`; pushes split the same findings into `introduced` and `persisting`. The sum is
 * what two evaluations of the same tree agree on, whatever triggered them.
 */
export function openCount(i: InvariantRecord): number {
  return i.counts.introduced + i.counts.persisting + i.counts.present;
}

/**
 * Keeps the last of each run of records with the same SHA: a push, its PR event and a later
 * audit of an unchanged tip describe one tree, and must count as one step of a trend.
 */
export function collapseBySha(records: readonly EvaluationRecord[]): EvaluationRecord[] {
  const out: EvaluationRecord[] = [];
  for (const r of records) {
    if (out.length > 0 && out[out.length - 1]!.sha === r.sha) out[out.length - 1] = r;
    else out.push(r);
  }
  return out;
}
