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
  readonly stat: string;
  readonly entry: TreeEntry;
  readonly bytes: Uint8Array | null;
  /** Whether the stat was old enough when read to vouch for the bytes next time. */
  readonly trusted: boolean;
}

export function createWorktreeCache(root: string, opts: WorktreeCacheOptions = {}): WorktreeCache {
  const maxRetained = opts.maxRetainedBytes ?? 256 * 1024 * 1024;
  const racyMs = opts.racyMs ?? 2000;
  let known = new Map<string, Known>();
  const lastRefresh = { read: 0, reused: 0 };

  return {
    lastRefresh,
    async refresh() {
      const out = (await runGit(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"])).toString("utf8");
      const paths = [...new Set(out.split("\0").filter(Boolean))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const next = new Map<string, Known>();
      const bytes = new Map<string, Uint8Array>();
      let retained = 0;
      lastRefresh.read = 0;
      lastRefresh.reused = 0;
      for (const path of paths) {
        const now = Date.now();
        const st = statOf(join(root, path));
        if (st === null) continue; // listed by git but gone from disk: not part of this tree
        const sig = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.mode}`;
        const prev = known.get(path);
        let k: Known | null;
        if (prev && prev.trusted && prev.stat === sig) {
          k = prev;
          lastRefresh.reused++;
        } else {
          k = readEntry(root, path, st, sig, now - Math.max(st.mtimeMs, st.ctimeMs) > racyMs);
          lastRefresh.read++;
        }
        if (k === null) continue;
        if (k.bytes) bytes.set(path, k.bytes);
        // Over budget, the bytes serve this refresh only and are read again next time.
        const keep = k.bytes === null || retained + k.bytes.length <= maxRetained;
        if (k.bytes && keep) retained += k.bytes.length;
        next.set(path, keep ? k : { ...k, trusted: false });
      }
      known = next;
      return viewOf(root, [...next.values()].map((k) => k.entry), bytes);
    },
  };
}

function statOf(abs: string): Stats | null {
  try {
    return lstatSync(abs);
  } catch {
    return null;
  }
}

/** The same rules as worktreeFileSource: symlinks by name, regular files hashed, the rest skipped. */
function readEntry(root: string, path: string, st: Stats, sig: string, trusted: boolean): Known | null {
  if (st.isSymbolicLink()) return { stat: sig, entry: { path, size: 0, blobSha: null, type: "symlink" }, bytes: null, trusted };
  if (!st.isFile()) return null;
  if (st.size > MAX_HASHED_BYTES) return { stat: sig, entry: { path, size: st.size, blobSha: null, type: "file" }, bytes: null, trusted };
  let data: Uint8Array;
  try {
    data = readFileSync(join(root, path));
  } catch {
    return null;
  }
  return { stat: sig, entry: { path, size: data.length, blobSha: gitBlobSha(data), type: "file" }, bytes: data, trusted };
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
