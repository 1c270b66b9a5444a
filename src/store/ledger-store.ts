import type { Redis } from "ioredis";
import type { Verdict } from "../core/judge.js";
import { createChainVerifier, entryFromVerdict, formatAnchor, genesisHash, sealer, type LedgerAnchor, type LedgerKey, type LedgerMeta, type LedgerRecord, type StoredEntry, type VerifyResult } from "../core/ledger.js";
import type { RedisKeys, RepoScope } from "./redis-keys.js";

/**
 * The ledger in Redis: one Stream per repository (the entries, never trimmed: a ledger is
 * append-only, so there is no retention), a head hash `{seq, hash, id}` written in the same
 * script as each entry, a head-SHA → stream ids index for `ledger show`, and the repository
 * name index for the CLI.
 *
 * Appends are compare-and-set on the head: read-then-append from several workers forks the
 * chain (measured: 20 concurrent writers broke 19 of 20 links). The hash and HMAC are computed
 * here, never in Redis, so the key never travels to Redis (MONITOR, SLOWLOG) at all.
 */

const APPEND_LUA = `
local cur = redis.call('HMGET', KEYS[2], 'seq', 'hash')
local seq = tonumber(cur[1])
local hash = cur[2]
if not seq then
  if redis.call('XLEN', KEYS[1]) > 0 then
    return redis.error_reply('PLUMBLINE_LEDGER the head key is missing but the stream has entries; refusing to start a second chain')
  end
  seq = 0
  hash = ARGV[8]
end
if seq ~= tonumber(ARGV[1]) or hash ~= ARGV[2] then
  return {0, tostring(seq), hash}
end
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[3])
redis.call('HSET', KEYS[2], 'seq', seq + 1, 'hash', ARGV[4], 'id', id)
local prior = redis.call('HGET', KEYS[3], ARGV[5])
if prior then redis.call('HSET', KEYS[3], ARGV[5], prior .. ' ' .. id) else redis.call('HSET', KEYS[3], ARGV[5], id) end
redis.call('HSET', KEYS[4], 'id:' .. ARGV[6], ARGV[7])
if ARGV[9] ~= '' then redis.call('HSET', KEYS[4], 'name:' .. ARGV[9], ARGV[7]) end
return {1, id}
`;

const COMMAND = "plumblineLedgerAppend";
type AppendFn = (...args: (string | number)[]) => Promise<[0, string, string] | [1, string]>;

export interface LedgerHead {
  readonly seq: number;
  readonly hash: string;
  readonly streamId: string;
}

export interface AppendResult {
  readonly streamId: string;
  readonly seq: number;
  readonly hash: string;
  /** How many compare-and-set rounds it took (1 without contention). */
  readonly attempts: number;
}

export interface AppendOptions {
  /**
   * Compare-and-set rounds before giving up. Default 1000 (≥ 10 s of backed-off rounds): 50
   * connections hammering one repository needed at most ~340 here; real workers append once per job.
   */
  readonly maxAttempts?: number;
  readonly random?: () => number;
}

/** Thrown when the head kept moving: the entry was not written; the caller may retry the job. */
export class LedgerContentionError extends Error {
  constructor(readonly attempts: number) {
    super(`ledger append gave up after ${attempts} attempts: the chain head moved every time`);
    this.name = "LedgerContentionError";
  }
}

/** Rounds retried at once: a lost round returns the new head, so the retry usually wins. */
const IMMEDIATE_ROUNDS = 3;
const MAX_BACKOFF_MS = 20;

/**
 * Seals `record` onto the repository's chain. The script accepts the entry only if the head is
 * still the one it was built on; otherwise it answers with the current head and the entry is
 * rebuilt on it. After a few immediate rounds, a random pause spreads writers that keep
 * colliding (they would otherwise retry in lockstep).
 */
export function appendEntry(redis: Redis, keys: RedisKeys, scope: RepoScope, record: LedgerRecord, key: LedgerKey, opts: AppendOptions = {}): Promise<AppendResult> {
  // Writers sharing a connection take turns per repository: colliding with ourselves only
  // burns rounds. Other connections and processes are kept honest by the script alone.
  const lanes = localLanes.get(redis) ?? new Map<string, Promise<unknown>>();
  localLanes.set(redis, lanes);
  const lane = keys.ledger(scope);
  const run = (lanes.get(lane) ?? Promise.resolve()).then(() => appendNow(redis, keys, scope, record, key, opts));
  const settled = run.then(noop, noop);
  lanes.set(lane, settled);
  void settled.then(() => {
    if (lanes.get(lane) === settled) lanes.delete(lane);
  });
  return run;
}

const localLanes = new WeakMap<Redis, Map<string, Promise<unknown>>>();
const noop = () => undefined;

async function appendNow(redis: Redis, keys: RedisKeys, scope: RepoScope, record: LedgerRecord, key: LedgerKey, opts: AppendOptions): Promise<AppendResult> {
  if (record.repoId !== scope.repoId || record.installationId !== scope.installationId) {
    throw new Error(`ledger record for repository ${record.repoId} (installation ${record.installationId}) cannot go to repository ${scope.repoId} (installation ${scope.installationId})`);
  }
  const maxAttempts = opts.maxAttempts ?? 1000;
  const random = opts.random ?? Math.random;
  const append = appendCommand(redis);
  const genesis = genesisHash(scope.repoId);
  const name = record.repoName?.toLowerCase() ?? "";
  let head: { seq: number; hash: string } = (await ledgerHead(redis, keys, scope)) ?? { seq: 0, hash: genesis };
  const seal = sealer(record, key);
  for (let attempt = 1; ; attempt++) {
    const { entry, json } = seal(head);
    const r = await append(keys.ledger(scope), keys.ledgerHead(scope), keys.ledgerBySha(scope), keys.ledgerRepos(), head.seq, head.hash, json, entry.hash, entry.headSha, scope.repoId, `${scope.installationId}:${scope.repoId}`, genesis, name);
    if (r[0] === 1) return { streamId: r[1], seq: entry.seq, hash: entry.hash, attempts: attempt };
    head = { seq: Number(r[1]), hash: r[2] };
    if (attempt >= maxAttempts) throw new LedgerContentionError(attempt);
    if (attempt >= IMMEDIATE_ROUNDS) {
      await sleep(random() * Math.min(MAX_BACKOFF_MS, 2 ** (attempt - IMMEDIATE_ROUNDS)));
      // The head we were handed is stale after a pause; read it again rather than lose a round.
      head = (await ledgerHead(redis, keys, scope)) ?? { seq: 0, hash: genesis };
    }
  }
}

export interface AppendedVerdict {
  /** The Stream id, printed in the check run summary. */
  readonly entryId: string;
  readonly seq: number;
  readonly headHash: string;
  /** `seq:hash`, the form `ledger verify --expected-head` takes back. */
  readonly anchor: string;
}

/** What the worker calls after each verdict. */
export async function appendVerdict(redis: Redis, keys: RedisKeys, scope: RepoScope, verdict: Verdict, meta: LedgerMeta, key: LedgerKey): Promise<AppendedVerdict> {
  const r = await appendEntry(redis, keys, scope, entryFromVerdict(verdict, meta), key);
  return { entryId: r.streamId, seq: r.seq, headHash: r.hash, anchor: formatAnchor(r) };
}

export async function ledgerHead(redis: Redis, keys: RedisKeys, scope: RepoScope): Promise<LedgerHead | null> {
  const [seq, hash, id] = await redis.hmget(keys.ledgerHead(scope), "seq", "hash", "id");
  if (seq == null || hash == null) return null;
  return { seq: Number(seq), hash, streamId: id ?? "" };
}

export interface ReadOptions {
  /** First stream id to read (inclusive); default the beginning. */
  readonly from?: string;
  /** Stop after this many entries; default all. */
  readonly count?: number;
  readonly pageSize?: number;
}

/** Entries in stream order, a page (XRANGE … COUNT) at a time so a 100k-entry ledger never sits in memory. */
export async function* readEntries(redis: Redis, keys: RedisKeys, scope: RepoScope, opts: ReadOptions = {}): AsyncGenerator<StoredEntry> {
  const pageSize = opts.pageSize ?? 1000;
  let remaining = opts.count ?? Infinity;
  let start = opts.from ?? "-";
  while (remaining > 0) {
    const page = await redis.xrange(keys.ledger(scope), start, "+", "COUNT", Math.min(pageSize, remaining));
    for (const [streamId, fields] of page) yield { streamId, json: fieldValue(fields, "e") };
    if (page.length < pageSize) return;
    remaining -= page.length;
    start = `(${page[page.length - 1]![0]}`;
  }
}

/**
 * Verifies a repository's whole ledger, streamed. The head key is an anchor too: it is written in
 * the same script as every entry, so a stream that ends before it lost its tail. It is read
 * before the stream, so entries appended meanwhile only make the stream longer, never shorter.
 */
export async function verifyLedger(redis: Redis, keys: RedisKeys, scope: RepoScope, key: LedgerKey, opts: { expectedHead?: LedgerAnchor | null; pageSize?: number } = {}): Promise<VerifyResult & { storedHead: LedgerHead | null }> {
  const storedHead = await ledgerHead(redis, keys, scope);
  const anchors = storedHead ? [{ seq: storedHead.seq, hash: storedHead.hash }] : [];
  const verifier = createChainVerifier(key, { repoId: scope.repoId, expectedHead: opts.expectedHead ?? null, anchors });
  for await (const e of readEntries(redis, keys, scope, opts.pageSize ? { pageSize: opts.pageSize } : {})) verifier.push(e);
  return { ...verifier.finish(), storedHead };
}

/**
 * Entries whose head SHA is `sha` (a full SHA, or a unique-enough prefix of ≥ 7), newest first.
 * Uses the index the append script maintains, so it costs one lookup per matching entry instead
 * of a scan of the whole stream; a prefix scans the index's fields (HSCAN), not the entries.
 */
export async function findBySha(redis: Redis, keys: RedisKeys, scope: RepoScope, sha: string): Promise<StoredEntry[]> {
  const needle = sha.toLowerCase();
  if (!/^[0-9a-f]{7,64}$/.test(needle)) throw new Error(`not a commit SHA or a prefix of at least 7 hex digits: ${sha}`);
  const index = keys.ledgerBySha(scope);
  const ids: string[] = [];
  const exact = await redis.hget(index, needle);
  if (exact !== null) ids.push(...exact.split(" "));
  else {
    let cursor = "0";
    do {
      const [next, flat] = await redis.hscan(index, cursor, "MATCH", `${needle}*`, "COUNT", 1000);
      for (let i = 1; i < flat.length; i += 2) ids.push(...flat[i]!.split(" "));
      cursor = next;
    } while (cursor !== "0");
  }
  const stream = keys.ledger(scope);
  const found: StoredEntry[] = [];
  for (const id of ids) {
    const [hit] = await redis.xrange(stream, id, id);
    // An id the index lists but the stream lacks is a deletion: `ledger verify` names it.
    if (hit) found.push({ streamId: hit[0], json: fieldValue(hit[1], "e") });
  }
  return found.sort((a, b) => compareStreamIds(b.streamId!, a.streamId!));
}

export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

function fieldValue(fields: string[], name: string): string {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]!;
  return "";
}

const defined = new WeakSet<Redis>();

function appendCommand(redis: Redis): AppendFn {
  if (!defined.has(redis)) {
    // defineCommand runs EVALSHA and falls back to EVAL once per connection: the script travels once.
    redis.defineCommand(COMMAND, { numberOfKeys: 4, lua: APPEND_LUA });
    defined.add(redis);
  }
  const fn = (redis as unknown as Record<string, AppendFn>)[COMMAND]!;
  return fn.bind(redis);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
