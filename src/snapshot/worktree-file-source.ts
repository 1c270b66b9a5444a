import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gitBlobSha } from "../core/git-blob-sha.js";
import type { FileSource, TreeEntry } from "./file-source.js";
import { runGit } from "./run-git.js";

/** Files larger than this are listed without a blob id instead of being read to hash them. */
export const MAX_HASHED_BYTES = 64 * 1024 * 1024;
/** Parallel reads: enough to hide disk latency, few enough to stay far from EMFILE. */
const CONCURRENCY = 64;

/**
 * The working tree as git sees it (tracked plus untracked-but-not-ignored), read in parallel and
 * once: the bytes read to hash a file for its blob id are the bytes `readFiles` hands out, so an
 * agent hook that builds two snapshots over the same tree touches each file a single time.
 * Blob ids are git's, so the per-blob record cache is shared with committed revisions.
 */
export function worktreeFileSource(root: string, opts: { label?: string } = {}): FileSource {
  const bytes = new Map<string, Uint8Array>();
  let listing: Promise<TreeEntry[]> | null = null;
  const list = async (): Promise<TreeEntry[]> => {
    const out = (await runGit(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"])).toString("utf8");
    const paths = [...new Set(out.split("\0").filter(Boolean))];
    const entries: Array<TreeEntry | null> = new Array(paths.length).fill(null);
    await forEachLimited(paths, CONCURRENCY, async (path, i) => {
      entries[i] = await entryOf(root, path, bytes);
    });
    return entries.filter((e): e is TreeEntry => e !== null).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  };
  return {
    label: opts.label ?? "worktree",
    listFiles: () => (listing ??= list()),
    async readFiles(paths) {
      const out = new Map<string, Uint8Array | Error>();
      await forEachLimited(paths, CONCURRENCY, async (p) => {
        const known = bytes.get(p);
        if (known) return void out.set(p, known);
        try {
          out.set(p, await readFile(join(root, p)));
        } catch (err) {
          out.set(p, err as Error);
        }
      });
      return out;
    },
  };
}

async function entryOf(root: string, path: string, cache: Map<string, Uint8Array>): Promise<TreeEntry | null> {
  try {
    const st = await lstat(join(root, path));
    if (st.isSymbolicLink()) return { path, size: 0, blobSha: null, type: "symlink" };
    if (!st.isFile()) return null; // a submodule checkout or a directory git lists for a gitlink
    if (st.size > MAX_HASHED_BYTES) return { path, size: st.size, blobSha: null, type: "file" };
    const data = await readFile(join(root, path));
    cache.set(path, data);
    return { path, size: data.length, blobSha: gitBlobSha(data), type: "file" };
  } catch {
    // Listed by git but deleted from the working tree: it is not part of this revision.
    return null;
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
