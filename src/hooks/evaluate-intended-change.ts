import { join } from "node:path";
import { checkRevision, type CheckOutcome } from "../check/check-revision.js";
import { diffTrees } from "../check/diff-trees.js";
import type { ActorSignals } from "../core/actor.js";
import type { ChangedPath } from "../core/change.js";
import { diskRecordCache, type DiskRecordCache } from "../snapshot/disk-record-cache.js";
import type { TreeEntry } from "../snapshot/file-source.js";
import { gitFileSource } from "../snapshot/git-file-source.js";
import { overlayFileSource } from "../snapshot/overlay-file-source.js";
import type { IntendedChange } from "./intended-change.js";
import type { RepoState } from "./repo-state.js";

const POLICY_DIRS = ["invariants", ".github/invariants"];

/** A repository as an agent finds it before its next tool call. */
export interface RepoState {
  /** Canonical repository root. */
  readonly root: string;
  readonly gitDir: string;
  /** Commit id of HEAD; null before the first commit. */
  readonly headRev: string | null;
  readonly branch: string | null;
  /** The working tree as it is now, before the change. */
  readonly worktree: FileSource;
}

/** The repository containing `dir`, or null when `dir` is not inside one (then nothing is ours to judge). */
export async function openRepo(dir: string): Promise<RepoState | null> {
  let lines: string[];
  try {
    lines = (await runGit(dir, ["rev-parse", "--show-toplevel", "--absolute-git-dir"])).toString("utf8").trim().split("\n");
  } catch {
    return null;
  }
  const [top, gitDir] = lines;
  if (!top || !gitDir) return null;
  const root = canonical(top);
  const [headRev, branch] = await Promise.all([optionalGit(root, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]), optionalGit(root, ["symbolic-ref", "-q", "--short", "HEAD"])]);
  return { root, gitDir, headRev, branch, worktree: worktreeFileSource(root) };
}

async function optionalGit(root: string, args: string[]): Promise<string | null> {
  try {
    return (await runGit(root, args)).toString("utf8").trim() || null;
  } catch {
    return null;
  }
}

/** What the intended-change builders read: the working tree listing and file bytes. */
export async function changeContext(repo: RepoState, cwd: string): Promise<ChangeContext> {
  const files = await repo.worktree.listFiles();
  return {
    root: repo.root,
    cwd: canonical(cwd),
    files,
    async read(path) {
      const data = (await repo.worktree.readFiles([path])).get(path);
      return data === undefined || data instanceof Error ? null : data;
    },
  };
}

export interface EvaluateOptions {
  readonly actor: ActorSignals | null;
  readonly now: Date;
  /** The per-blob record cache under `<gitdir>/plumbline/`; false for none. */
  readonly cache: boolean;
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
  const policy = repo.headRev ? gitFileSource(repo.root, repo.headRev, { pathspecs: POLICY_DIRS }) : repo.worktree;
  const changedPaths = changedPathsOf(await repo.worktree.listFiles(), await head.listFiles(), change);
  const cache: DiskRecordCache | null = opts.cache ? await diskRecordCache(join(repo.gitDir, "plumbline", "records.ndjson")) : null;
  const outcome = await checkRevision({ head, base: repo.worktree, policy, actor: opts.actor, now: opts.now, blockPersisting: false, changedPaths, ...(cache ? { cache } : {}) });
  // The cache only accelerates; failing to persist it must not decide a verdict.
  await cache?.flush().catch(() => undefined);
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
