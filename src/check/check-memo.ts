import { createHash } from "node:crypto";
import type { CompiledPolicy } from "../core/compile.js";
import type { Evaluation } from "../core/evaluate.js";
import type { PolicyError } from "../core/policy-error.js";
import type { RepoSnapshot } from "../core/snapshot.js";
import type { TreeEntry } from "../snapshot/file-source.js";
import { createWeightedLru, memoized } from "./weighted-lru.js";

/** What loading and compiling a revision's invariant files gave: the policy (of how many files) or its errors. */
export type LoadedPolicy = { readonly type: "policy"; readonly policy: CompiledPolicy; readonly files: number } | { readonly type: "errors"; readonly errors: readonly PolicyError[] };

/**
 * Results a long-lived caller (the hook server) carries from one check to the next. Both are
 * pure functions of content: a policy of its files' blob ids, a snapshot of its entries' blob
 * ids and of what the policy reads. So a hit is exactly what recomputing would give, and a
 * verdict never depends on whether the memo was there.
 */
export interface CheckMemo {
  policy(key: string, compute: () => Promise<LoadedPolicy>): Promise<LoadedPolicy>;
  snapshot(key: string, compute: () => Promise<RepoSnapshot>): Promise<RepoSnapshot>;
  /**
   * A base revision's evaluation, keyed by its snapshot's key, the policy digest and which
   * waivers are still in force (the only way the clock enters an evaluation): the previous
   * push's base is judged again on every push to a branch until it moves.
   */
  evaluation?(key: string, compute: () => Evaluation): Evaluation;
}

/**
 * The content key of a list of entries, or null when some file has no blob id (too large to
 * hash): its bytes are then unknown and nothing about it may be reused.
 */
export function entriesKey(entries: readonly TreeEntry[], extra = ""): string | null {
  // A source hands out the same array for the same listing: hash it once, not on every check.
  let byExtra = keysOf.get(entries);
  if (!byExtra) keysOf.set(entries, (byExtra = new Map()));
  let key = byExtra.get(extra);
  if (key === undefined) byExtra.set(extra, (key = hashEntries(entries, extra)));
  return key;
}

const keysOf = new WeakMap<readonly TreeEntry[], Map<string, string | null>>();

function hashEntries(entries: readonly TreeEntry[], extra: string): string | null {
  const hash = createHash("sha256").update(extra).update("\0");
  for (const e of entries) {
    if (e.type === "file" && e.blobSha === null) return null;
    hash.update(`${e.path}\0${e.type}\0${e.blobSha ?? ""}\0${e.size}\n`);
  }
  return hash.digest("hex");
}

/**
 * A memo holding the few most recent results of each kind. Two snapshots cover the hook's
 * pattern: this call's head (the tree after the change) is usually the next call's base.
 */
export function createCheckMemo(opts: { policies?: number; snapshots?: number } = {}): CheckMemo {
  const policies = createWeightedLru<Promise<LoadedPolicy>>(opts.policies ?? 4);
  const snapshots = createWeightedLru<Promise<RepoSnapshot>>(opts.snapshots ?? 3);
  // Counted, not weighed: each entry weighs 1.
  return { policy: (key, compute) => memoized(policies, key, compute, () => 1), snapshot: (key, compute) => memoized(snapshots, key, compute, () => 1) };
}
