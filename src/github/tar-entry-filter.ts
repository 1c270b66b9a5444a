/**
 * Which tarball entries may stand for a file of the tree. Nothing from the archive is ever
 * written to disk, but the path is still treated as hostile: anything that is not a plain
 * regular file strictly inside the archive's single root folder is dropped, so a crafted or
 * corrupt archive can only fail to supply a file (which is then read via the blobs API),
 * never supply one under a name it does not have.
 */

/** Regular-file types in node-tar's naming; links, devices, FIFOs and directories are not. */
const FILE_TYPES: ReadonlySet<string> = new Set(["File", "OldFile", "ContiguousFile"]);

function safeSegments(rawPath: string): string[] | null {
  if (rawPath === "" || rawPath.includes("\0") || rawPath.includes("\\")) return null;
  // Absolute POSIX paths and drive-letter paths would escape any root.
  if (rawPath.startsWith("/") || /^[A-Za-z]:/.test(rawPath)) return null;
  const segments = rawPath.replace(/\/$/, "").split("/");
  return segments.every((s) => s !== "" && s !== "." && s !== "..") ? segments : null;
}

/** The archive's root folder (GitHub: `<owner>-<repo>-<short sha>`) as named by an entry, if safe. */
export function tarRootOf(rawPath: string): string | null {
  return safeSegments(rawPath)?.[0] ?? null;
}

/** The repository path an entry stands for, or null when the entry must be dropped. */
export function tarEntryPath(rawPath: string, type: string, root: string | null): string | null {
  if (root === null || !FILE_TYPES.has(type)) return null;
  const segments = safeSegments(rawPath);
  if (!segments || segments.length < 2 || segments[0] !== root) return null;
  return segments.slice(1).join("/");
}
