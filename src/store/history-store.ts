import type { Redis } from "ioredis";
import { evaluationRecordSchema, isEvaluation, type EvaluationRecord } from "../core/decay-record.js";
import { DEFAULT_AUDIT_INTERVAL, auditIntervalMs, mergeRecordOf } from "../core/drift.js";
import type { RedisKeys, RepoScope } from "./redis-keys.js";
import { forgetRepo } from "./repo-names.js";

/**
 * Decay history: per repository, a Redis list of JSON evaluation records, oldest first, trimmed
 * on every append to `settings.historyLimit`. A list rather than a stream: records are read
 * newest-N at a time (LRANGE with negative indices) and carry their own timestamps.
 */

export const DEFAULT_HISTORY_LIMIT = 1000;
/** How far back recordMerge looks for the evaluation of the merged head and for a duplicate marker. */
const MERGE_LOOKBACK = 500;

export interface HistoryLimit {
  /** settings.historyLimit of the policy that judged; default 1000. */
  readonly limit?: number;
}

/** Appends one record and trims the list to the newest `limit`, atomically (MULTI). */
export async function appendRecord(redis: Redis, keys: RedisKeys, scope: RepoScope, record: EvaluationRecord, opts: HistoryLimit = {}): Promise<void> {
  const limit = boundedLimit(opts.limit);
  // Validated on the way in as well as out: a malformed record would otherwise surface only at
  // the next audit, far from the code that wrote it.
  const json = JSON.stringify(evaluationRecordSchema.parse(record));
  const key = keys.history(scope);
  await redis.multi().rpush(key, json).ltrim(key, -limit, -1).exec().then(throwOnError);
}

/**
 * The newest `limit` records (default: all kept), oldest first. A record that no longer parses
 * is skipped: one corrupt entry must not blind every later audit of the repository.
 */
export async function readHistory(redis: Redis, keys: RedisKeys, scope: RepoScope, opts: HistoryLimit = {}): Promise<EvaluationRecord[]> {
  const raw = await redis.lrange(keys.history(scope), opts.limit === undefined ? 0 : -Math.max(1, Math.floor(opts.limit)), -1);
  return raw.flatMap((text) => {
    try {
      const parsed = evaluationRecordSchema.safeParse(JSON.parse(text));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

export interface MergeEvent {
  readonly at: Date;
  readonly prNumber: number;
  /** The PR's head SHA when it merged. */
  readonly sha: string;
  /** The PR's head branch (`fork-<repoId>-<ref>` for forks, as jobs name them). */
  readonly branch: string | null;
  /**
   * The head's Plumbline check conclusion at merge time, when the caller read it from GitHub.
   * Null: use the last verdict recorded for that SHA (or `unknown` when none is left).
   */
  readonly checkConclusion: string | null;
  readonly actor: EvaluationRecord["actor"];
}

/**
 * Appends a merge marker (`pull_request.closed` with `merged: true`) so bypasses can be
 * detected. Idempotent on (PR, SHA): a redelivered webhook does not count a bypass twice.
 * Returns false when the marker was already there.
 */
export async function recordMerge(redis: Redis, keys: RedisKeys, scope: RepoScope, event: MergeEvent, opts: HistoryLimit = {}): Promise<boolean> {
  const recent = await readHistory(redis, keys, scope, { limit: MERGE_LOOKBACK });
  if (recent.some((r) => r.merged?.prNumber === event.prNumber && r.sha === event.sha)) return false;
  const judged = [...recent].reverse().find((r) => isEvaluation(r) && r.sha === event.sha);
  const latest = recent.at(-1);
  const record = mergeRecordOf({
    at: event.at,
    prNumber: event.prNumber,
    sha: event.sha,
    branch: event.branch,
    checkConclusion: event.checkConclusion ?? judged?.conclusion ?? "unknown",
    actor: event.actor,
    policyDigest: judged?.policyDigest ?? latest?.policyDigest ?? "",
    auditIntervalMs: latest?.auditIntervalMs ?? auditIntervalMs(DEFAULT_AUDIT_INTERVAL),
  });
  await appendRecord(redis, keys, scope, record, opts);
  return true;
}

/**
 * Uninstall: deletes every key of the repository (history, ledger, caches, dashboard, check
 * run ids…) by scanning `<repo prefix>:*`, and its entries in the global name indexes. The
 * trailing `:` matters: `pl:i1:r1*` would also match repository 12. Returns the keys deleted.
 * The audit scheduler lives in BullMQ's keys: removeAuditSchedule is the caller's other half.
 */
export async function deleteRepoData(redis: Redis, keys: RedisKeys, scope: RepoScope): Promise<number> {
  const base = keys.repo(scope);
  let deleted = await redis.unlink(base);
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `${escapeGlob(base)}:*`, "COUNT", 1000);
    cursor = next;
    if (found.length) deleted += await redis.unlink(...found);
  } while (cursor !== "0");
  await forgetRepo(redis, keys.repoNames(), scope);
  await forgetRepo(redis, keys.ledgerRepos(), scope);
  return deleted;
}

function boundedLimit(limit: number | undefined): number {
  return Math.max(1, Math.floor(limit ?? DEFAULT_HISTORY_LIMIT));
}

/** SCAN MATCH is a glob: a prefix with `*`, `?` or `[` must match itself only. */
function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function throwOnError(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error("Redis transaction aborted");
  const failed = results.find(([err]) => err !== null);
  if (failed) throw failed[0];
}
