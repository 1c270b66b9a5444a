import { gitBlobSha } from "../core/git-blob-sha.js";
import type { FileSource, TreeEntry } from "./file-source.js";

/**
 * A revision that does not exist yet: `base` with some files replaced, added or removed. Agent
 * hooks and `check_change` judge the tree an edit *would* produce without touching the disk.
 * A null write deletes the path.
 */
export function overlayFileSource(base: FileSource, writes: ReadonlyMap<string, Uint8Array | null>, label = "intended change"): FileSource {
  let listing: Promise<TreeEntry[]> | null = null;
  const list = async (): Promise<TreeEntry[]> => {
    const byPath = new Map((await base.listFiles()).map((e) => [e.path, e]));
    for (const [path, data] of writes) {
      if (data === null) byPath.delete(path);
      else byPath.set(path, { path, size: data.length, blobSha: gitBlobSha(data), type: "file" });
    }
    return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  };
  return {
    label,
    listFiles: () => (listing ??= list()),
    async readFiles(paths) {
      const out = new Map<string, Uint8Array | Error>();
      const rest: string[] = [];
      for (const p of paths) {
        const w = writes.get(p);
        if (w === undefined) rest.push(p);
        else out.set(p, w ?? new Error(`${p} is deleted by the ${label}`));
      }
      for (const [p, v] of await base.readFiles(rest)) out.set(p, v);
      return out;
    },
  };
}
