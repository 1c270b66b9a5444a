import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { gitBlobSha } from "../core/git-blob-sha.js";

export interface WantedBlob {
  readonly path: string;
  readonly sha: string;
  readonly size: number;
}

/** Not following a symlink at the path, and not waiting on a FIFO's writer (absent on Windows: 0). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** Files read between yields to the event loop. */
const BATCH = 64;

/**
 * Committed blobs whose bytes are in the working tree: a file is taken from there only when it
 * is a regular file of the blob's size whose git blob id is the wanted one, so the bytes are
 * the blob's own, whatever the working tree holds (edits, CRLF conversion, filters, a checkout
 * of another branch all just miss). Reading and hashing 1k files takes ~45 ms; `git cat-file
 * --batch` takes ~130 ms for the same loose blobs, and needs as much CPU again in git, which on
 * a cold check competes with the parse threads. The caller reads the misses from git.
 *
 * Synchronous reads in batches of 64, yielding between batches: small files read faster so than
 * through libuv's pool, and the event loop still runs (parse threads' answers, timers).
 */
export async function readBlobsFromWorktree(root: string, wanted: readonly WantedBlob[], onBlob: (blob: WantedBlob, data: Uint8Array) => void): Promise<Set<WantedBlob>> {
  const found = new Set<WantedBlob>();
  for (let start = 0; start < wanted.length; start += BATCH) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const blob of wanted.slice(start, start + BATCH)) {
      const data = readIfSame(root, blob);
      if (data === null) continue;
      found.add(blob);
      onBlob(blob, data);
    }
  }
  return found;
}

function readIfSame(root: string, blob: WantedBlob): Uint8Array | null {
  // A tree path is relative and has no `..` (git refuses such trees; a crafted one is read from git).
  if (blob.path.startsWith("/") || blob.path.split("/").includes("..")) return null;
  let fd: number | undefined;
  try {
    fd = openSync(join(root, blob.path), OPEN_FLAGS);
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size !== blob.size) return null;
    const data = Buffer.allocUnsafe(blob.size);
    let read = 0;
    while (read < blob.size) {
      const n = readSync(fd, data, read, blob.size - read, read);
      if (n === 0) return null;
      read += n;
    }
    return gitBlobSha(data) === blob.sha ? data : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
