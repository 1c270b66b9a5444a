import { createHash } from "node:crypto";

/** One row of `git ls-tree -r` (blobs, symlinks and submodules; no tree rows). */
export interface ListedEntry {
  /** As ls-tree prints it: `100644`, `100755`, `120000`, `160000`. */
  readonly mode: string;
  /** Hex object id: 40 digits (SHA-1) or 64 (SHA-256 repositories). */
  readonly sha: string;
  readonly path: string;
}

interface Dir {
  readonly files: Array<{ name: string; mode: string; sha: string }>;
  readonly dirs: Map<string, Dir>;
}

/**
 * The id git gives the root tree that holds exactly these entries: the trees are rebuilt from
 * the flat listing and hashed as git writes them (`<mode> <name>\0<raw id>` per entry, in git's
 * order, where a tree's name sorts as if it ended in `/`). Equal to the commit's tree id only if
 * the listing is that tree's, byte for byte; a listing whose modes or names git canonicalised on
 * the way out (an old tool's `100664`, a name that is not UTF-8) gives another id, which a
 * caller takes as "not verified", never as a different tree. Null for ids of neither length.
 */
export function rootTreeId(entries: readonly ListedEntry[]): string | null {
  const hexLength = entries[0]?.sha.length ?? 40;
  const algorithm = hexLength === 64 ? "sha256" : hexLength === 40 ? "sha1" : null;
  if (algorithm === null) return null;
  const root: Dir = { files: [], dirs: new Map() };
  for (const e of entries) {
    if (e.sha.length !== hexLength) return null;
    let dir = root;
    let from = 0;
    for (let slash = e.path.indexOf("/"); slash !== -1; slash = e.path.indexOf("/", from)) {
      const part = e.path.slice(from, slash);
      let sub = dir.dirs.get(part);
      if (!sub) dir.dirs.set(part, (sub = { files: [], dirs: new Map() }));
      dir = sub;
      from = slash + 1;
    }
    dir.files.push({ name: e.path.slice(from), mode: e.mode, sha: e.sha });
  }
  return treeId(root, algorithm, hexLength / 2);
}

function treeId(dir: Dir, algorithm: "sha1" | "sha256", idBytes: number): string {
  const rows: Array<{ key: string; mode: string; name: string; sha: string }> = dir.files.map((f) => ({ key: f.name, mode: f.mode, name: f.name, sha: f.sha }));
  for (const [name, sub] of dir.dirs) rows.push({ key: `${name}/`, mode: "40000", name, sha: treeId(sub, algorithm, idBytes) });
  // Git orders by bytes. UTF-16 order is the same except between surrogates and U+E000–U+FFFF.
  if (rows.some((r) => /[\ud800-\uffff]/.test(r.key))) rows.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  else rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let length = 0;
  for (const r of rows) length += r.mode.length + 2 + Buffer.byteLength(r.name) + idBytes;
  const body = Buffer.allocUnsafe(length);
  let at = 0;
  for (const r of rows) {
    at += body.write(`${r.mode} ${r.name}\0`, at, "utf8");
    at += body.write(r.sha, at, "hex");
  }
  return createHash(algorithm).update(`tree ${length}\0`).update(body).digest("hex");
}
