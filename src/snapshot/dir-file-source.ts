import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { gitBlobSha } from "../core/git-blob-sha.js";
import type { FileSource, TreeEntry } from "./file-source.js";

/**
 * A plain directory (fixture trees, `--worktree`). Blob ids are computed like git's so tree
 * diffs see content changes and the extraction cache is shared with commits.
 */
export function dirFileSource(root: string, opts: { paths?: readonly string[]; label?: string } = {}): FileSource {
  return {
    label: opts.label ?? root,
    async listFiles() {
      const paths = opts.paths ?? (await walk(root, root));
      const out: TreeEntry[] = [];
      for (const p of paths) {
        try {
          const st = await lstat(join(root, p));
          if (st.isSymbolicLink()) out.push({ path: p, size: 0, blobSha: null, type: "symlink" });
          else if (st.isFile()) out.push({ path: p, size: st.size, blobSha: gitBlobSha(await readFile(join(root, p))), type: "file" });
        } catch {
          // Listed by git but deleted in the worktree: it is not part of this revision.
        }
      }
      out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return out;
    },
    async readFiles(paths) {
      const out = new Map<string, Uint8Array | Error>();
      await Promise.all(
        paths.map(async (p) => {
          try {
            out.set(p, await readFile(join(root, p)));
          } catch (err) {
            out.set(p, err as Error);
          }
        }),
      );
      return out;
    },
  };
}

async function walk(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === ".git" || e.name === "node_modules") continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(root, full)));
    else out.push(relative(root, full).split(sep).join("/"));
  }
  return out;
}

