import { join } from "node:path";
import type { CheckMemo } from "../check/check-memo.js";
import { checkRevision, type CheckOutcome } from "../check/check-revision.js";
import { diffTrees } from "../check/diff-trees.js";
import type { ActorSignals } from "../core/actor.js";
import type { ChangedPath } from "../core/change.js";
import { diskRecordCache, type DiskRecordCache } from "../snapshot/disk-record-cache.js";
import type { FileSource, TreeEntry } from "../snapshot/file-source.js";
import { gitFileSource } from "../snapshot/git-file-source.js";
import { overlayFileSource } from "../snapshot/overlay-file-source.js";
import type { RecordCache } from "../snapshot/record-cache.js";
import type { IntendedChange } from "./intended-change.js";
import type { RepoState } from "./repo-state.js";

export const POLICY_DIRS = ["invariants", ".github/invariants"];

export interface EvaluateOptions {
  readonly actor: ActorSignals | null;
  readonly now: Date;
  /** The per-blob record cache under `<gitdir>/plumbline/`; false for none. */
  readonly cache: boolean;
  /** What a resident process (the hook server) keeps between calls; absent, everything is read afresh. */
  readonly warm?: WarmState;
}

/** Accelerators only: with or without them the outcome is the same (test/hooks/hook-server.test.ts). */
export interface WarmState {
  /** The record cache, in memory; the server persists it itself. */
  readonly records: RecordCache;
  readonly memo: CheckMemo;
  /** HEAD's invariant folders, listed once per commit. */
  policyAt(headRev: string): FileSource;
}

/**
 * The agent-side evaluation every surface shares (Claude Code hook, MCP `check_change`): the
 * working tree with the change applied is judged against the working tree as it is, by the
 * invariants committed at HEAD. Judging against the current tree (not HEAD) makes "introduced"
 * mean "introduced by this call": a dirty tree left by someone else never blocks the agent.
 * Committed policy, not the working tree's: an agent that edits invariants/ in its worktree
 * must not loosen what judges it.
 */
export async function evaluateIntendedChange(repo: RepoState, change: IntendedChange, opts: EvaluateOptions): Promise<CheckOutcome> {
  const head = overlayFileSource(repo.worktree, change.writes);
  // Only the invariant folders of HEAD are listed: the policy needs nothing else from it.
  const warm = opts.warm;
  const policy = repo.headRev ? (warm?.policyAt(repo.headRev) ?? gitFileSource(repo.root, repo.headRev, { pathspecs: POLICY_DIRS })) : repo.worktree;
  const changedPaths = changedPathsOf(await repo.worktree.listFiles(), await head.listFiles(), change);
  const disk: DiskRecordCache | null = opts.cache && !warm ? await diskRecordCache(join(repo.gitDir, "plumbline", "records.ndjson")) : null;
  const cache = opts.cache ? (warm?.records ?? disk) : null;
  const outcome = await checkRevision({ head, base: repo.worktree, policy, actor: opts.actor, now: opts.now, blockPersisting: false, changedPaths, ...(cache ? { cache } : {}), ...(warm ? { memo: warm.memo } : {}) });
  // The cache only accelerates; failing to persist it must not decide a verdict.
  await disk?.flush().catch(() => undefined);
  return outcome;
}

/**
 * The tree diff (renames included) plus every path the call writes or touches, even when the
 * bytes do not change: writing to a denied path is the act execution-scope rules judge.
 */
export function changedPathsOf(base: readonly TreeEntry[], head: readonly TreeEntry[], change: IntendedChange): ChangedPath[] {
  const out = diffTrees(base, head);
  const named = new Set(out.flatMap((p) => (p.previousPath ? [p.path, p.previousPath] : [p.path])));
  const before = new Set(base.map((e) => e.path));
  const after = new Set(head.map((e) => e.path));
  for (const path of [...change.writes.keys(), ...change.touched]) {
    if (named.has(path)) continue;
    named.add(path);
    out.push({ path, status: !before.has(path) ? "added" : after.has(path) ? "modified" : "deleted" });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
