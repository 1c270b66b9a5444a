import { z } from "zod";
import { canonicalJson } from "./canonical-json.js";
import { ENGINE_VERSION } from "./engine-version.js";
import type { Finding } from "./finding.js";
import { sha256 } from "./git-blob-sha.js";
import type { Verdict } from "./judge.js";

/**
 * What one ledger entry binds: the facts a reviewer needs to answer "why did Plumbline decide
 * this on that commit?" months later, without trusting the database that holds it. Strict
 * objects: an unknown key is tampering or a newer format, never silently accepted.
 */

/** Git object ids: SHA-1 today, SHA-256 repositories tomorrow. */
const gitSha = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/);
export const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const text = (max: number) => z.string().max(max);
const count = z.number().int().nonnegative();

export const LEDGER_FORMAT = 1;
/** Caps keep one entry bounded (~1–3 KB typical) whatever a policy or a push contains. */
export const MAX_LEDGER_BLOCKING = 50;
const MAX_TEXT = 1024;

/** `deployment`: a deployment protection rule answer (checkRun carries the workflow run id and approved/rejected). */
export const OUTCOMES = ["verdict", "invalid-policy", "no-policy", "error", "deployment"] as const;
export type LedgerOutcome = (typeof OUTCOMES)[number];

const resultSchema = z.strictObject({
  invariant: text(200),
  kind: text(100),
  enforcement: text(20),
  status: z.enum(["pass", "fail", "warn", "error"]),
  counts: z.strictObject({ introduced: count, persisting: count, resolved: count, present: count, waived: count }),
  coverage: z.strictObject({ unit: text(40), matched: count }),
  /** sha256 over this invariant's head findings (fingerprint, evidence, status, waived), sorted. */
  evidenceDigest: hex64,
});

/** The hashed part of an entry: everything but the chain fields (prevHash, hash, keyId, sig). */
export const ledgerBodySchema = z.strictObject({
  v: z.literal(LEDGER_FORMAT),
  seq: z.number().int().positive(),
  at: z.iso.datetime(),
  deliveryId: text(200),
  trigger: text(64),
  installationId: z.number().int().positive(),
  repoId: z.number().int().positive(),
  /** owner/name when appended: informational only (names change; the id is the identity). */
  repoName: text(300).nullable(),
  ref: text(MAX_TEXT).nullable(),
  headSha: gitSha,
  baseSha: gitSha.nullable(),
  actor: z
    .strictObject({ class: z.enum(["human", "agent"]), agent: text(200).nullable(), login: text(200).nullable(), signal: text(40), evidence: text(MAX_TEXT), forgeable: z.boolean() })
    .nullable(),
  /** Null when no policy compiled (invalid or missing invariant files). */
  policy: z.strictObject({ digest: text(128), engine: text(40), files: z.array(z.strictObject({ path: text(MAX_TEXT), sha: gitSha })) }).nullable(),
  outcome: z.enum(OUTCOMES),
  results: z.array(resultSchema),
  /** The findings that decided a failure (capped; `blockingTotal` says how many there were). */
  blocking: z.array(z.strictObject({ invariant: text(200), code: text(200), path: text(MAX_TEXT), line: count, fingerprint: text(64) })),
  blockingTotal: count,
  /** Engine notices at failure level (e.g. an agent weakening the policy): they fail a check too. */
  failingNotices: z.array(z.strictObject({ code: text(200), invariant: text(200).nullable() })),
  waiversApplied: z.array(z.strictObject({ invariant: text(200), path: text(MAX_TEXT), owner: text(200), expires: text(40), used: count })),
  /**
   * The run GitHub shows. `id` is null when the entry was written before the run existed (a fast
   * evaluation posts its run once, already concluded, carrying this entry's anchor); the run is
   * then found by `externalId` on the head SHA.
   */
  checkRun: z.strictObject({ id: count.nullable(), externalId: text(200).optional(), conclusion: text(40) }),
  timings: z.record(text(40), z.number().nonnegative()),
});

export const ledgerEntrySchema = ledgerBodySchema.extend({
  prevHash: hex64,
  hash: hex64,
  /** Which key signed (a one-way id, see LedgerKey): tells "wrong key" from "forged". */
  keyId: z.string().regex(/^[0-9a-f]{12}$/),
  sig: hex64,
});

export type LedgerBody = z.infer<typeof ledgerBodySchema>;
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
/** What a caller builds; the store assigns `seq` when it wins the chain head. */
export type LedgerRecord = Omit<LedgerBody, "seq">;

/** Facts the worker knows besides the verdict. `at` is passed in: the core has no clock. */
export interface LedgerMeta {
  readonly at: Date;
  readonly deliveryId: string;
  readonly trigger: string;
  readonly installationId: number;
  readonly repoId: number;
  /** `owner/name`; also feeds the CLI's name → id index. */
  readonly repoName: string | null;
  readonly ref: string | null;
  readonly headSha: string;
  readonly baseSha: string | null;
  /** `CheckOutcome.policy.files` of the policy that judged; null when none compiled. */
  readonly policyFiles: readonly { readonly path: string; readonly sha: string }[] | null;
  readonly checkRun: { readonly id: number | null; readonly externalId?: string; readonly conclusion: string };
  readonly timings: Readonly<Record<string, number>>;
}

/** The ledger record of a verdict. Pure; the result is validated so a bad meta fails here, not in verify. */
export function entryFromVerdict(verdict: Verdict, meta: LedgerMeta): LedgerRecord {
  const heads = verdict.findings.filter((f) => f.status !== "resolved");
  const results = verdict.invariants.map((r) => ({
    invariant: r.id,
    kind: r.kind,
    enforcement: r.enforcement,
    status: r.status,
    counts: { introduced: r.counts.introduced, persisting: r.counts.persisting, resolved: r.counts.resolved, present: r.counts.present, waived: r.counts.waived },
    coverage: { unit: r.coverage.unit, matched: r.coverage.matched },
    evidenceDigest: evidenceDigest(heads.filter((f) => f.invariant === r.id)),
  }));
  const waivers = new Map<string, { invariant: string; path: string; owner: string; expires: string; used: number }>();
  for (const f of heads) {
    if (!f.waiver) continue;
    const id = `${f.invariant}\u0000${f.waiver.path}`;
    const prior = waivers.get(id);
    if (prior) prior.used++;
    else waivers.set(id, { invariant: f.invariant, path: clip(f.waiver.path), owner: clip(f.waiver.owner, 200), expires: clip(f.waiver.expires, 40), used: 1 });
  }
  const record: LedgerRecord = {
    ...commonFields(meta),
    policy: { digest: verdict.policyDigest, engine: ENGINE_VERSION, files: (meta.policyFiles ?? []).map((f) => ({ path: clip(f.path), sha: f.sha })) },
    outcome: "verdict",
    actor: verdict.actor
      ? { class: verdict.actor.class, agent: verdict.actor.agent, login: verdict.actor.login, signal: verdict.actor.signal, evidence: clip(verdict.actor.evidence), forgeable: verdict.actor.forgeable }
      : null,
    results,
    blocking: verdict.blocking.slice(0, MAX_LEDGER_BLOCKING).map((f) => ({ invariant: f.invariant, code: f.code, path: clip(f.path), line: f.line, fingerprint: f.fingerprint })),
    blockingTotal: verdict.blocking.length,
    failingNotices: verdict.notices.filter((n) => n.level === "failure").map((n) => ({ code: n.code, invariant: n.invariant })),
    waiversApplied: [...waivers.values()].sort((a, b) => (a.invariant + a.path < b.invariant + b.path ? -1 : 1)),
  };
  return ledgerBodySchema.omit({ seq: true }).parse(record);
}

/** A conclusion reached without a verdict (invalid or missing policy, evaluation error) is recorded too. */
export function entryWithoutVerdict(outcome: Exclude<LedgerOutcome, "verdict">, meta: LedgerMeta, policyDigest: string | null = null): LedgerRecord {
  const record: LedgerRecord = {
    ...commonFields(meta),
    policy: policyDigest ? { digest: policyDigest, engine: ENGINE_VERSION, files: (meta.policyFiles ?? []).map((f) => ({ path: clip(f.path), sha: f.sha })) } : null,
    outcome,
    actor: null,
    results: [],
    blocking: [],
    blockingTotal: 0,
    failingNotices: [],
    waiversApplied: [],
  };
  return ledgerBodySchema.omit({ seq: true }).parse(record);
}

/**
 * Binds the exact findings without storing them all: re-evaluating the same commit under the
 * same policy digest must reproduce this digest. Line numbers are left out on purpose, like
 * fingerprints; evidence is what the rule saw.
 */
export function evidenceDigest(findings: readonly Finding[]): string {
  const items = findings.map((f) => canonicalJson({ fingerprint: f.fingerprint, evidence: { ...f.evidence }, status: f.status, waived: f.waiver !== null })).sort();
  return sha256(`[${items.join(",")}]`);
}

function commonFields(meta: LedgerMeta) {
  return {
    v: LEDGER_FORMAT as typeof LEDGER_FORMAT,
    at: meta.at.toISOString(),
    deliveryId: clip(meta.deliveryId, 200),
    trigger: clip(meta.trigger, 64),
    installationId: meta.installationId,
    repoId: meta.repoId,
    repoName: meta.repoName === null ? null : clip(meta.repoName, 300),
    ref: meta.ref === null ? null : clip(meta.ref),
    headSha: meta.headSha,
    baseSha: meta.baseSha,
    checkRun: { id: meta.checkRun.id, ...(meta.checkRun.externalId ? { externalId: clip(meta.checkRun.externalId, 200) } : {}), conclusion: clip(meta.checkRun.conclusion, 40) },
    // Rounded: sub-millisecond noise is not evidence, and integers serialise identically everywhere.
    timings: Object.fromEntries(Object.entries(meta.timings).filter(([, v]) => Number.isFinite(v) && v >= 0).map(([k, v]) => [clip(k, 40), Math.round(v)])),
  };
}

function clip(s: string, max = MAX_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
