import { genesisHash, hashEntry, signatureMatches, type LedgerAnchor, type LedgerKey } from "./ledger-chain.js";
import type { LedgerBody } from "./ledger-entry.js";

/** One entry as stored: raw text, so an entry that no longer parses can still be located. */
export interface StoredEntry {
  /** The Redis Stream id (null for entries that never came from a stream). */
  readonly streamId: string | null;
  readonly json: string;
}

export type TamperReason = "edited" | "deleted/gap" | "reordered" | "bad-signature" | "truncated" | "malformed";

export interface FirstBad {
  /** The entry's own seq, or the seq expected at that position when it has none. */
  readonly seq: number;
  readonly streamId: string | null;
  /** 1-based position in the stream (0 when the chain ends before an anchor). */
  readonly position: number;
  readonly reason: TamperReason;
  readonly detail: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Entries verified good, in order, before the first bad one (all of them when ok). */
  readonly checked: number;
  readonly firstBad: FirstBad | null;
  /** The last verified entry: the trustworthy head (null for an empty chain or a bad first entry). */
  readonly head: (LedgerAnchor & { readonly seq: number; readonly streamId: string | null }) | null;
}

export interface VerifyOptions {
  /** The repository the chain belongs to; defaults to the first entry's (then a whole foreign chain would pass). */
  readonly repoId?: number;
  /** An outside anchor (check run summary, the head key): the chain must reach it, with that hash. */
  readonly expectedHead?: LedgerAnchor | null;
  /** More anchors, e.g. several check run summaries; each must be on the chain. */
  readonly anchors?: readonly LedgerAnchor[];
}

export interface ChainVerifier {
  /** Feeds the next entry in stream order; entries can come in pages so memory stays flat. */
  push(entry: StoredEntry): void;
  finish(): VerifyResult;
}

/** Verifies a whole chain held in memory; `createChainVerifier` for a streamed one. */
export function verifyChain(entries: Iterable<StoredEntry>, key: LedgerKey, opts: VerifyOptions = {}): VerifyResult {
  const v = createChainVerifier(key, opts);
  for (const e of entries) v.push(e);
  return v.finish();
}

/**
 * Checks each entry in order: it parses; its hash covers its content and the previous hash; its
 * signature is ours; its seq is the next one; it belongs to this repository; it agrees with every
 * anchor at its seq. The first failure is the answer. A seq jump is only called a deletion once
 * the rest of the stream has been read: if a skipped seq shows up later, entries were reordered.
 */
export function createChainVerifier(key: LedgerKey, opts: VerifyOptions = {}): ChainVerifier {
  const anchors = [...(opts.anchors ?? []), ...(opts.expectedHead ? [opts.expectedHead] : [])];
  const bySeq = new Map<number, string>();
  const hashOnly = new Set<string>();
  for (const a of anchors) {
    if (a.seq === null) hashOnly.add(a.hash);
    else bySeq.set(a.seq, a.hash);
  }
  let repoId = opts.repoId ?? null;
  let prevHash = repoId === null ? null : genesisHash(repoId);
  let expectedSeq = 1;
  let position = 0;
  let checked = 0;
  let head: VerifyResult["head"] = null;
  let firstBad: FirstBad | null = null;
  // A seq jump waiting for the rest of the stream: deleted unless a skipped seq turns up later.
  let gap: { bad: FirstBad; from: number; to: number } | null = null;

  const fail = (entry: StoredEntry, seq: number, reason: TamperReason, detail: string) => {
    firstBad = { seq, streamId: entry.streamId, position, reason, detail };
  };

  function check(raw: StoredEntry, entry: ChainView): void {
    if (repoId === null) {
      repoId = entry.repoId;
      prevHash = genesisHash(repoId);
    }
    const seq = entry.seq;
    if (hashOf(entry) !== entry.hash) return fail(raw, seq, "edited", "its content no longer matches its hash");
    if (!signatureMatches(entry, key)) {
      return entry.keyId === key.id
        ? fail(raw, seq, "edited", "its hash was recomputed after an edit, but the signature does not match it (forged without the key)")
        : fail(raw, seq, "bad-signature", `signed by key ${entry.keyId}, not by the key given (${key.id})`);
    }
    if (seq < expectedSeq) return fail(raw, seq, "reordered", `seq ${seq} comes after seq ${expectedSeq - 1}`);
    if (seq > expectedSeq) {
      const missing = seq - expectedSeq === 1 ? `seq ${expectedSeq} is missing` : `seqs ${expectedSeq}–${seq - 1} are missing`;
      gap = { bad: { seq, streamId: raw.streamId, position, reason: "deleted/gap", detail: `${missing} before it` }, from: expectedSeq, to: seq - 1 };
      return;
    }
    if (entry.repoId !== repoId) return fail(raw, seq, "edited", `it belongs to repository ${entry.repoId}, not ${repoId}`);
    if (entry.prevHash !== prevHash) {
      return fail(raw, seq, "edited", seq === 1 ? "it does not start from this repository's genesis hash" : `its prevHash is not the hash of seq ${seq - 1}: the chain was rewritten before it`);
    }
    const anchored = bySeq.get(seq);
    if (anchored !== undefined && anchored !== entry.hash) return fail(raw, seq, "edited", `its hash differs from the anchor ${seq}:${anchored.slice(0, 16)}…`);
    hashOnly.delete(entry.hash);
    prevHash = entry.hash;
    expectedSeq = seq + 1;
    checked++;
    head = { seq, hash: entry.hash, streamId: raw.streamId };
  }

  return {
    push(raw) {
      position++;
      if (firstBad) return;
      const entry = parse(raw.json);
      if (gap) {
        // Past the jump only one question remains: does a skipped seq appear after all?
        if (entry.ok && entry.value.seq >= gap.from && entry.value.seq <= gap.to) {
          firstBad = { ...gap.bad, reason: "reordered", detail: `seq ${entry.value.seq} appears later, at position ${position}` };
        }
        return;
      }
      if (!entry.ok) return fail(raw, expectedSeq, "malformed", entry.error);
      check(raw, entry.value);
    },
    finish() {
      if (!firstBad && gap) firstBad = gap.bad;
      if (!firstBad) {
        const lastSeq = expectedSeq - 1;
        const beyond = [...bySeq.keys()].filter((s) => s > lastSeq).sort((a, b) => b - a)[0];
        if (beyond !== undefined) {
          firstBad = { seq: lastSeq + 1, streamId: null, position: 0, reason: "truncated", detail: `the chain ends at seq ${lastSeq}, but an anchor says seq ${beyond} exists` };
        } else if (hashOnly.size > 0) {
          const [missing] = hashOnly;
          firstBad = { seq: lastSeq + 1, streamId: null, position: 0, reason: "truncated", detail: `no entry has the anchored hash ${missing!.slice(0, 16)}…: the tail holding it is gone (or the anchor is from another repository)` };
        }
      }
      const bad: FirstBad | null = firstBad;
      return { ok: bad === null, checked, firstBad: bad, head };
    },
  };
}

/**
 * Only the chain fields are checked for shape here: the hash covers everything else, so an
 * added, removed or changed member of a signed entry is "edited", and verify stays an integrity
 * check (a signed entry of a newer format still verifies). `ledger show` validates the format.
 */
type ChainView = Record<string, unknown> & { seq: number; repoId: number; prevHash: string; hash: string; keyId: string; sig: string };
type Parsed = { ok: true; value: ChainView } | { ok: false; error: string };

const HEX64 = /^[0-9a-f]{64}$/;
const CHAIN_FIELDS = new Set(["prevHash", "hash", "keyId", "sig"]);

function parse(json: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, error: "it is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, error: "it is not a JSON object" };
  const problem = chainProblem(value as Record<string, unknown>);
  if (problem) return { ok: false, error: `its chain field \`${problem}\` is missing or not well formed` };
  return { ok: true, value: value as ChainView };
}

function chainProblem(o: Record<string, unknown>): string | null {
  for (const f of ["seq", "repoId"]) if (!Number.isSafeInteger(o[f]) || (o[f] as number) < 1) return f;
  for (const f of ["prevHash", "hash", "sig"]) if (typeof o[f] !== "string" || !HEX64.test(o[f])) return f;
  return typeof o.keyId === "string" ? null : "keyId";
}

/** hashEntry over the entry minus its chain fields; parsed JSON always serialises canonically. */
function hashOf(entry: ChainView): string {
  const body: Record<string, unknown> = {};
  for (const k of Object.keys(entry)) if (!CHAIN_FIELDS.has(k)) body[k] = entry[k];
  return hashEntry(entry.prevHash, body as LedgerBody);
}
