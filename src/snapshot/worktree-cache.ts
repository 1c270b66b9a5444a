import { lstatSync, readFileSync, type Stats } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gitBlobSha } from "../core/git-blob-sha.js";
import type { FileSource, TreeEntry } from "./file-source.js";
import { runGit } from "./run-git.js";
import { MAX_HASHED_BYTES } from "./worktree-file-source.js";

/**
 * The working tree for a long-lived process (the hook server): listed afresh on every refresh,
 * but a file's bytes are read again only when its stat changed. Each refresh returns a FileSource
 * equal to what `worktreeFileSource` would list and read at that moment.
 */
export interface WorktreeCache {
  refresh(): Promise<FileSource>;
  /** Files read by the last refresh and files taken from memory, for tests and the bench. */
  readonly lastRefresh: { readonly read: number; readonly reused: number };
}

export interface WorktreeCacheOptions {
  /** Bytes kept between refreshes; files past it are read on every refresh, as without a cache. */
  readonly maxRetainedBytes?: number;
  /**
   * How long after its last change a file's stat is not trusted. Git's "racily clean" rule: a
   * file written again within the timestamp granularity of the filesystem (up to 2 s on FAT,
   * 1 s on HFS+) can keep size and mtime, so a recently changed file is re-read until it is
   * old enough that any later write must show in its stat.
   */
  readonly racyMs?: number;
}

interface Known {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly mode: number;
  /** Null for what git lists but is not a file of this tree (a submodule's or nested repository's directory). */
  readonly entry: TreeEntry | null;
  readonly bytes: Uint8Array | null;
  /** Whether the stat was old enough when read to vouch for the bytes next time. */
  readonly trusted: boolean;
}

export function createWorktreeCache(root: string, opts: WorktreeCacheOptions = {}): WorktreeCache {
  const maxRetained = opts.maxRetainedBytes ?? 256 * 1024 * 1024;
  const racyMs = opts.racyMs ?? 2000;
  let known = new Map<string, Known>();
  let last: { listing: string; paths: string[]; view: FileSource | null } = { listing: "", paths: [], view: null };
  const lastRefresh = { read: 0, reused: 0 };

  return {
    lastRefresh,
    async refresh() {
      // Taken before any stat: a file changed while we look is then always "too recent to trust".
      const now = Date.now();
      const listing = (await runGit(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"])).toString("utf8");
      const sameListing = listing === last.listing;
      const paths = sameListing ? last.paths : [...new Set(listing.split("\0").filter(Boolean))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const next = new Map<string, Known>();
      const bytes = new Map<string, Uint8Array>();
      let retained = 0;
      let unchanged = sameListing && last.view !== null;
      lastRefresh.read = 0;
      lastRefresh.reused = 0;
      for (const path of paths) {
        // Plain concatenation: git's paths are normalised, and path.join costs as much as the lstat.
        const st = statOf(`${root}/${path}`);
        const prev = known.get(path);
        if (st === null) {
          unchanged &&= prev === undefined;
          continue; // listed by git but gone from disk: not part of this tree
        }
        let k: Known | null;
        if (prev && prev.trusted && prev.size === st.size && prev.mtimeMs === st.mtimeMs && prev.ctimeMs === st.ctimeMs && prev.ino === st.ino && prev.mode === st.mode) {
          k = prev;
          lastRefresh.reused++;
        } else {
          k = readEntry(root, path, st, now - Math.max(st.mtimeMs, st.ctimeMs) > racyMs);
          lastRefresh.read++;
          unchanged = false;
        }
        if (k === null) continue;
        next.set(path, k);
        if (k.entry === null) continue;
        if (k.bytes) bytes.set(path, k.bytes);
        // Over budget, the bytes serve this refresh only and are read again next time.
        const keep = k.bytes === null || retained + k.bytes.length <= maxRetained;
        if (k.bytes && keep) retained += k.bytes.length;
        if (!keep) next.set(path, { ...k, trusted: false });
      }
      known = next;
      // Nothing listed, read or dropped differently: the previous view is this one (and the memo's keys with it).
      const view = unchanged && last.view ? last.view : viewOf(root, [...next.values()].flatMap((k) => (k.entry ? [k.entry] : [])), bytes);
      last = { listing, paths, view };
      return view;
    },
  };
}

function statOf(abs: string): Stats | null {
  try {
    return lstatSync(abs, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** The same rules as worktreeFileSource: symlinks by name, regular files hashed, the rest skipped. */
function readEntry(root: string, path: string, st: Stats, trusted: boolean): Known | null {
  const stat = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, mode: st.mode };
  if (st.isSymbolicLink()) return { ...stat, entry: { path, size: 0, blobSha: null, type: "symlink" }, bytes: null, trusted };
  if (!st.isFile()) return { ...stat, entry: null, bytes: null, trusted };
  if (st.size > MAX_HASHED_BYTES) return { ...stat, entry: { path, size: st.size, blobSha: null, type: "file" }, bytes: null, trusted };
  let data: Uint8Array;
  try {
    data = readFileSync(join(root, path));
  } catch {
    return null;
  }
  return { ...stat, entry: { path, size: data.length, blobSha: gitBlobSha(data), type: "file" }, bytes: data, trusted };
}

function viewOf(root: string, entries: TreeEntry[], bytes: ReadonlyMap<string, Uint8Array>): FileSource {
  return {
    label: "worktree",
    listFiles: async () => entries,
    async readFiles(paths) {
      const out = new Map<string, Uint8Array | Error>();
      for (const p of paths) {
        const known = bytes.get(p);
        if (known) {
          out.set(p, known);
          continue;
        }
        try {
          out.set(p, await readFile(join(root, p)));
        } catch (err) {
          out.set(p, err as Error);
        }
      }
      return out;
    },
  };
}
