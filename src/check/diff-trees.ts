import type { ChangedPath } from "../core/change.js";
import type { TreeEntry } from "../snapshot/file-source.js";

/**
 * Changed paths between two listings, by blob id. A deletion and an addition of the same blob
 * are a rename, so "moving a file out of a denied folder" still names the folder it left.
 */
export function diffTrees(base: readonly TreeEntry[], head: readonly TreeEntry[]): ChangedPath[] {
  const before = new Map(base.map((e) => [e.path, e]));
  const after = new Map(head.map((e) => [e.path, e]));
  const added: TreeEntry[] = [];
  const deleted: TreeEntry[] = [];
  const out: ChangedPath[] = [];
  for (const [path, e] of after) {
    const b = before.get(path);
    if (!b) added.push(e);
    else if (b.blobSha !== e.blobSha || b.type !== e.type || (b.blobSha === null && b.size !== e.size)) out.push({ path, status: "modified" });
  }
  for (const [path, e] of before) if (!after.has(path)) deleted.push(e);
  const deletedBySha = new Map<string, TreeEntry[]>();
  for (const d of deleted) if (d.blobSha) deletedBySha.set(d.blobSha, [...(deletedBySha.get(d.blobSha) ?? []), d]);
  const renamedFrom = new Set<string>();
  for (const a of added) {
    const from = a.blobSha ? deletedBySha.get(a.blobSha)?.shift() : undefined;
    if (from) {
      renamedFrom.add(from.path);
      out.push({ path: a.path, status: "renamed", previousPath: from.path });
    } else out.push({ path: a.path, status: "added" });
  }
  for (const d of deleted) if (!renamedFrom.has(d.path)) out.push({ path: d.path, status: "deleted" });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
