import { SnapshotLimitError } from "../snapshot/build-snapshot.js";
import type { EntryType, TreeEntry } from "../snapshot/file-source.js";
import { runPool } from "./bounded-pool.js";
import { describeRef, type GitHubRepoRef } from "./github-repo-ref.js";
import { describeFailure, GitHubReadError } from "./github-read-error.js";

/** Directory fetches in flight while walking a truncated tree (well under GitHub's 100 concurrent). */
const TREE_CONCURRENCY = 8;

interface RawEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
  size?: number;
}

interface RawTree {
  sha: string;
  tree: RawEntry[];
  truncated: boolean;
}

interface Job {
  readonly sha: string;
  readonly prefix: string;
  readonly recursive: boolean;
}

/**
 * The complete file listing of a commit. One recursive fetch covers most repositories; GitHub
 * truncates at 100k entries / 7 MB, and then the tree is walked subtree by subtree: each
 * directory is tried recursively first (one request for a whole subtree that fits) and only
 * a subtree that is itself truncated is listed level by level. A listing is complete or the
 * call throws: a gate must never judge part of a tree.
 */
export async function listGitHubTree(ref: GitHubRepoRef, maxEntries: number): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const push = (prefix: string, e: RawEntry): void => {
    out.push(toEntry(ref, prefix, e));
    if (out.length > maxEntries) {
      throw new SnapshotLimitError(`${describeRef(ref)} has more than ${maxEntries} tree entries (limits.maxEntries); Plumbline fails closed rather than judge part of a tree`);
    }
  };
  // The trees endpoint takes a commit SHA and answers with the root tree's SHA, which saves
  // the `git/commits` round trip on every run.
  const root = await fetchTree(ref, ref.sha, true);
  if (!root.truncated) {
    for (const e of root.tree) if (e.type !== "tree") push("", e);
  } else {
    await runPool<Job>([{ sha: root.sha, prefix: "", recursive: false }], TREE_CONCURRENCY, async (job, enqueue) => {
      const t = await fetchTree(ref, job.sha, job.recursive);
      if (t.truncated) {
        if (job.recursive) return enqueue({ ...job, recursive: false });
        throw new GitHubReadError(`${describeRef(ref)}: directory "${job.prefix || "/"}" has more entries than GitHub lists in one response; the tree cannot be read completely`);
      }
      for (const e of t.tree) {
        if (e.type !== "tree") push(job.prefix, e);
        else if (!job.recursive) enqueue({ sha: requireString(ref, e.sha), prefix: join(job.prefix, requireString(ref, e.path)), recursive: true });
      }
    });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

async function fetchTree(ref: GitHubRepoRef, treeish: string, recursive: boolean): Promise<RawTree> {
  ref.count();
  let data: unknown;
  try {
    const res = await ref.client.rest.git.getTree({ owner: ref.owner, repo: ref.repo, tree_sha: treeish, ...(recursive ? { recursive: "1" } : {}) });
    data = res.data;
  } catch (err) {
    const { status, reason } = describeFailure(err);
    throw new GitHubReadError(`listing the tree of ${describeRef(ref)} failed (tree ${treeish}): ${reason}`, status);
  }
  const t = data as Partial<RawTree> | null;
  if (!t || typeof t.sha !== "string" || !Array.isArray(t.tree)) throw new GitHubReadError(`GitHub answered a malformed tree for ${describeRef(ref)} (tree ${treeish})`);
  return { sha: t.sha, tree: t.tree, truncated: t.truncated === true };
}

function toEntry(ref: GitHubRepoRef, prefix: string, e: RawEntry): TreeEntry {
  const path = join(prefix, requireString(ref, e.path));
  // Git never stores these; a listing that has them is corrupt or forged, and a gate must not
  // judge a tree under names it does not really have (the tarball side drops them too).
  if (path.includes("\0") || path.startsWith("/") || path.split("/").some((s) => s === "" || s === "." || s === "..")) {
    throw new GitHubReadError(`GitHub listed a malformed path ${JSON.stringify(path.slice(0, 200))} in ${describeRef(ref)}`);
  }
  const sha = requireString(ref, e.sha);
  const type: EntryType = e.type === "commit" ? "submodule" : e.mode === "120000" ? "symlink" : "file";
  if (type === "file" && e.type !== "blob") throw new GitHubReadError(`GitHub listed "${path}" in ${describeRef(ref)} with an unknown type`);
  return { path, size: typeof e.size === "number" ? e.size : 0, blobSha: sha, type };
}

function requireString(ref: GitHubRepoRef, v: unknown): string {
  if (typeof v !== "string" || v === "") throw new GitHubReadError(`GitHub answered a malformed tree entry for ${describeRef(ref)}`);
  return v;
}

const join = (prefix: string, name: string): string => (prefix ? `${prefix}/${name}` : name);
