import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import type { LedgerBody, LedgerEntry, LedgerRecord } from "./ledger-entry.js";

/**
 * The chain: hash = sha256(prevHash + canonical(body)), sig = HMAC-SHA256(key, hash).
 * The hash alone makes any edit, deletion or reordering visible; the signature stops someone
 * with write access to Redis (but not the key) from rebuilding a consistent chain after editing.
 */

export const MIN_LEDGER_KEY_BYTES = 32;

/**
 * The HMAC key, wrapped so it cannot leak by accident: printing, logging (pino serialises with
 * toJSON) or inspecting it shows only its id. The id is a one-way digest: it tells which key
 * signed an entry (so verify can say "wrong key" instead of "forged") and reveals nothing usable.
 */
export class LedgerKey {
  readonly #bytes: Buffer;
  readonly id: string;

  constructor(bytes: Uint8Array) {
    if (bytes.length < MIN_LEDGER_KEY_BYTES) throw new Error(`a ledger key needs at least ${MIN_LEDGER_KEY_BYTES} bytes, got ${bytes.length}`);
    this.#bytes = Buffer.from(bytes);
    this.id = createHash("sha256").update("plumbline-ledger-key-id\u0000").update(this.#bytes).digest("hex").slice(0, 12);
  }

  hmac(message: string): string {
    return createHmac("sha256", this.#bytes).update(message).digest("hex");
  }

  toString(): string {
    return `[LedgerKey ${this.id}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Where a chain is, as GitHub's check run summaries and the head key record it. */
export interface LedgerAnchor {
  /** Null when only the hash is known (an anchor copied without its sequence number). */
  readonly seq: number | null;
  readonly hash: string;
}

/**
 * Per repository, so a chain copied from another repository never verifies here. Keyed by the
 * repository id only: a transfer changes the installation, never the chain.
 */
export function genesisHash(repoId: number): string {
  return createHash("sha256").update(`plumbline-ledger-genesis-v1\u0000${repoId}`).digest("hex");
}

export function hashEntry(prevHash: string, body: LedgerBody): string {
  return createHash("sha256").update(prevHash).update(canonicalJson(body)).digest("hex");
}

export function signEntry(hash: string, key: LedgerKey): string {
  return key.hmac(hash);
}

/** Constant time, so a forger learns nothing from how fast a wrong signature is rejected. */
export function signatureMatches(entry: Pick<LedgerEntry, "hash" | "sig">, key: LedgerKey): boolean {
  const want = Buffer.from(signEntry(entry.hash, key), "hex");
  const got = Buffer.from(entry.sig, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The entry that follows `head` (seq 0 and the genesis hash for an empty chain). */
export function sealEntry(record: LedgerRecord, head: ChainHead, key: LedgerKey): LedgerEntry {
  return sealer(record, key)(head).entry;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export interface Sealed {
  readonly entry: LedgerEntry;
  /** canonicalJson(entry), ready to store. */
  readonly json: string;
}

/**
 * Seals one record onto any head, serialising the record once: a writer that loses the
 * compare-and-set re-seals on the new head, and under contention that happens many times, so
 * each retry costs two digests and a string join instead of a full canonical serialisation.
 * The output is byte-identical to canonicalJson(body) / canonicalJson(entry) (tested).
 */
export function sealer(record: LedgerRecord, key: LedgerKey): (head: ChainHead) => Sealed {
  const chainFields = new Set(["seq", "prevHash", "hash", "keyId", "sig"]);
  const rec = record as Readonly<Record<string, unknown>>;
  const names = [...new Set([...Object.keys(record).filter((k) => rec[k] !== undefined), ...chainFields])].sort();
  const member = (k: string, v: unknown) => `${JSON.stringify(k)}:${canonicalJson(v)}`;
  const fixed = new Map(names.filter((k) => !chainFields.has(k)).map((k) => [k, member(k, rec[k])]));
  const join = (vals: Readonly<Record<string, string | number>>, withChain: boolean) =>
    `{${names.flatMap((k) => (fixed.has(k) ? [fixed.get(k)!] : k === "seq" || withChain ? [member(k, vals[k])] : [])).join(",")}}`;
  return (head) => {
    const seq = head.seq + 1;
    const hash = createHash("sha256").update(head.hash).update(join({ seq }, false)).digest("hex");
    const sig = signEntry(hash, key);
    const chain = { seq, prevHash: head.hash, hash, keyId: key.id, sig };
    return { entry: { ...record, ...chain }, json: join(chain, true) };
  };
}

/** Splits a stored entry back into the hashed body and the chain fields. */
export function bodyOf(entry: LedgerEntry): LedgerBody {
  const { prevHash: _p, hash: _h, keyId: _k, sig: _s, ...body } = entry;
  return body;
}

/** `SEQ:HASH` (as printed by check runs and `ledger verify`) or a bare `HASH`. */
export function parseAnchor(text: string): LedgerAnchor | null {
  const m = /^(?:([1-9]\d{0,14}):)?([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (!m) return null;
  return { seq: m[1] === undefined ? null : Number(m[1]), hash: m[2]! };
}

export function formatAnchor(a: { readonly seq: number; readonly hash: string }): string {
  return `${a.seq}:${a.hash}`;
}
