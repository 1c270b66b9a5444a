import { SnapshotLimitError } from "../snapshot/build-snapshot.js";
import type { EntryType, TreeEntry } from "../snapshot/file-source.js";
import { runPool } from "./bounded-pool.js";
import { describeRef, type GitHubRepoRef } from "./github-repo-ref.js";
import { describeFailure, GitHubReadError } from "./github-read-error.js";

/** Directory fetches in flight while walking a truncated tree (well under GitHub's 100 concurrent). */
const TREE_CONCURRENCY = 8;

export interface RawEntry {
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
 * Directory listings by git tree SHA, kept between revisions of one repository (a worker's
 * memo, scoped to one installation and repository). A tree SHA names its contents, so a hit
 * is exactly what GitHub would answer; the cache only decides how many requests a listing costs.
 */
export interface GitHubTreeCache {
  /** The direct entries (names, not paths) of a tree, as GitHub listed them. */
  get(treeSha: string): readonly RawEntry[] | undefined;
  set(treeSha: string, entries: readonly RawEntry[]): void;
  /** Whether this repository's trees were ever cached: a cold repository is listed in one recursive request. */
  readonly warm: boolean;
}

/**
 * Uncached directories a warm listing fetches one level at a time before it asks for the rest
 * recursively: a push touches a few paths (one request per directory on each), while a sweeping
 * change (a codemod, a new package) is cheaper as a few recursive requests.
 */
export const INCREMENTAL_DIRECTORY_BUDGET = 64;

/**
 * The complete file listing of a commit. One recursive fetch covers most repositories; GitHub
 * truncates at 100k entries / 7 MB, and then the tree is walked subtree by subtree: each
 * directory is tried recursively first (one request for a whole subtree that fits) and only
 * a subtree that is itself truncated is listed level by level. A listing is complete or the
 * call throws: a gate must never judge part of a tree.
 *
 * With a warm `cache`, the commit's root is listed alone and only directories whose tree SHA is
 * not cached are fetched (one level each, then recursively past INCREMENTAL_DIRECTORY_BUDGET):
 * a one-file push costs one small request per directory on its path instead of a listing of
 * the whole repository.
 */
export async function listGitHubTree(ref: GitHubRepoRef, maxEntries: number, cache?: GitHubTreeCache): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const push = (prefix: string, e: RawEntry): void => {
    out.push(toEntry(ref, prefix, e));
    if (out.length > maxEntries) {
      throw new SnapshotLimitError(`${describeRef(ref)} has more than ${maxEntries} tree entries (limits.maxEntries); Plumbline fails closed rather than judge part of a tree`);
    }
  };
  /** A directory's entries: files listed, subdirectories handed to `descend`. */
  const emit = (prefix: string, entries: readonly RawEntry[], descend: (sha: string, prefix: string) => void): void => {
    for (const e of entries) {
      if (e.type !== "tree") push(prefix, e);
      else descend(requireString(ref, e.sha), join(prefix, requireString(ref, e.path)));
    }
  };
  // Cold, the commit is asked for recursively (the trees endpoint takes a commit SHA and answers
  // with the root tree's SHA, which saves the `git/commits` round trip); a truncated answer is
  // walked level by level, each subdirectory tried recursively first. Warm, the root is listed
  // alone and only directories the cache lacks are fetched.
  const warm = cache?.warm === true;
  let fetched = 0;
  await runPool<Job>([{ sha: ref.sha, prefix: "", recursive: !warm }], TREE_CONCURRENCY, async (job, enqueue) => {
    // Cached directories are expanded here, without a pool round per directory.
    const descend = (sha: string, prefix: string): void => {
      const hit = cache?.get(sha);
      if (hit) emit(prefix, hit, descend);
      else enqueue({ sha, prefix, recursive: !warm || ++fetched > INCREMENTAL_DIRECTORY_BUDGET });
    };
    const t = await fetchTree(ref, job.sha, job.recursive);
    if (t.truncated) {
      // Again one level down, by the tree SHA GitHub answered with (the root's, not the commit's).
      if (job.recursive) return enqueue({ ...job, sha: t.sha, recursive: false });
      throw tooWide(ref, job.prefix);
    }
    if (cache) {
      if (job.recursive) cacheRecursive(ref, cache, t);
      else cache.set(t.sha, t.tree);
    }
    emit(job.prefix, t.tree, job.recursive ? () => {} : descend);
  });
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

const tooWide = (ref: GitHubRepoRef, prefix: string): GitHubReadError =>
  new GitHubReadError(`${describeRef(ref)}: directory "${prefix || "/"}" has more entries than GitHub lists in one response; the tree cannot be read completely`);

/** Splits a complete recursive listing into one cached listing per directory, each under its tree SHA. */
function cacheRecursive(ref: GitHubRepoRef, cache: GitHubTreeCache, t: RawTree): void {
  const dirs = new Map<string, RawEntry[]>([["", []]]);
  const shaOf = new Map<string, string>([["", t.sha]]);
  for (const e of t.tree) {
    const path = requireString(ref, e.path);
    if (e.type === "tree") {
      shaOf.set(path, requireString(ref, e.sha));
      if (!dirs.has(path)) dirs.set(path, []);
    }
  }
  for (const e of t.tree) {
    const path = e.path!;
    const slash = path.lastIndexOf("/");
    const parent = slash < 0 ? "" : path.slice(0, slash);
    let list = dirs.get(parent);
    // A parent missing from the listing: the response is inconsistent, so none of it is kept.
    if (!list) return;
    list.push({ ...e, path: path.slice(slash + 1) });
  }
  for (const [dir, list] of dirs) cache.set(shaOf.get(dir)!, list);
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
