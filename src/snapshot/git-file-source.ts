import { spawn } from "node:child_process";
import { runGit } from "./run-git.js";
import type { FileSource, TreeEntry } from "./file-source.js";
import { rootTreeId, type ListedEntry } from "./git-tree-id.js";
import { readBlobsFromWorktree, type WantedBlob } from "./worktree-blobs.js";

/**
 * `git ls-tree -r -l -z --full-tree` output that was asked for before the revision was known to
 * the caller (see cli/head-prefetch.ts), with the commit and tree id of the same reading of HEAD.
 */
export interface Prelisted {
  readonly commit: string;
  readonly tree: string;
  readonly listing: Buffer;
}

/**
 * A committed revision of a local git repository, read with `ls-tree`, then from the working
 * tree where its files are byte for byte the revision's (`worktree: false` never looks), and
 * one `cat-file --batch` for the rest. `repoDir` is the working tree's root.
 * `pathspecs` limits the listing (the agent hook reads only the invariant folders of HEAD).
 * `prelisted` is taken instead of listing again only when it is `rev`'s tree: its commit is
 * `rev` and the listing hashes to that commit's tree id; anything else lists `rev` as usual.
 */
export function gitFileSource(repoDir: string, rev: string, opts: { pathspecs?: readonly string[]; worktree?: false; prelisted?: Promise<Prelisted | null> } = {}): FileSource {
  let entries: Map<string, TreeEntry> | null = null;
  const list = async (): Promise<TreeEntry[]> => {
    const pre = opts.pathspecs?.length ? null : await opts.prelisted;
    const verified = pre && pre.commit === rev ? parseListing(pre.listing) : null;
    const { result } = verified && rootTreeId(verified.rows) === pre!.tree ? verified : parseListing(await runGit(repoDir, ["ls-tree", "-r", "-l", "-z", "--full-tree", rev, ...(opts.pathspecs?.length ? ["--", ...opts.pathspecs] : [])]));
    result.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    entries = new Map(result.map((e) => [e.path, e]));
    return result;
  };
  return {
    label: rev,
    listFiles: list,
    async readFiles(paths, onFile) {
      if (!entries) await list();
      const wanted: WantedBlob[] = [];
      const out = new Map<string, Uint8Array | Error>();
      for (const p of paths) {
        const e = entries!.get(p);
        if (!e || !e.blobSha || e.type !== "file") out.set(p, new Error(`${p} is not a file in ${rev}`));
        else wanted.push({ path: p, sha: e.blobSha, size: e.size });
      }
      const take = (blob: WantedBlob, data: Uint8Array) => {
        out.set(blob.path, data);
        onFile?.(blob.path, data);
      };
      // The working tree usually holds most of a revision's blobs byte for byte (see worktree-blobs.ts).
      const fromWorktree = opts.worktree === false ? new Set<WantedBlob>() : await readBlobsFromWorktree(repoDir, wanted, take);
      const rest = wanted.filter((b) => !fromWorktree.has(b));
      const pathsOf = new Map<string, WantedBlob[]>();
      for (const b of rest) {
        const same = pathsOf.get(b.sha);
        if (same) same.push(b);
        else pathsOf.set(b.sha, [b]);
      }
      const blobs = await catFileBatch(repoDir, [...pathsOf.keys()], (sha, data) => pathsOf.get(sha)?.forEach((b) => take(b, data)));
      for (const b of rest) if (!blobs.has(b.sha)) out.set(b.path, new Error(`blob ${b.sha} of ${b.path} is missing`));
      return out;
    },
  };
}

/** `ls-tree -r -l -z` output as entries, and as the rows git hashed them from (see git-tree-id.ts). */
function parseListing(out: Buffer): { result: TreeEntry[]; rows: ListedEntry[] } {
  const result: TreeEntry[] = [];
  const rows: ListedEntry[] = [];
  for (const rec of out.toString("utf8").split("\0")) {
    if (!rec) continue;
    const tab = rec.indexOf("\t");
    const [mode, type, sha, size] = rec.slice(0, tab).split(/\s+/);
    const path = rec.slice(tab + 1);
    const kind = type === "commit" ? "submodule" : mode === "120000" ? "symlink" : "file";
    result.push({ path, size: size === "-" ? 0 : Number(size), blobSha: sha ?? null, type: kind });
    rows.push({ mode: mode ?? "", sha: sha ?? "", path });
  }
  return { result, rows };
}

/**
 * Streams many blobs through one git process: one spawn per revision, not one per file. Each
 * blob goes to `onBlob` as soon as its bytes are in, while git is still reading the rest.
 */
export function catFileBatch(repoDir: string, shas: readonly string[], onBlob?: (sha: string, data: Uint8Array) => void): Promise<Map<string, Uint8Array>> {
  const unique = [...new Set(shas)];
  const result = new Map<string, Uint8Array>();
  if (unique.length === 0) return Promise.resolve(result);
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd: repoDir, stdio: ["pipe", "pipe", "pipe"] });
    const reader = batchReader((sha, data) => {
      result.set(sha, data);
      onBlob?.(sha, data);
    });
    let stderr = "";
    child.stdout.on("data", reader);
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed (${code}): ${stderr.trim()}`));
      resolve(result);
    });
    child.stdin.end(unique.join("\n") + "\n");
  });
}

/**
 * `cat-file --batch` output, chunk by chunk: `<sha> <type> <size>\n<bytes>\n` per object, or
 * `<sha> missing\n`. Bytes are joined only once an object is complete, so a large blob costs
 * one copy, not one per chunk.
 */
function batchReader(onObject: (sha: string, data: Uint8Array) => void): (chunk: Buffer) => void {
  let parts: Buffer[] = [];
  let have = 0;
  let header: { sha: string; size: number } | null = null;
  const joined = (): Buffer => {
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    parts = [all];
    return all;
  };
  const keep = (rest: Buffer) => {
    parts = rest.length > 0 ? [rest] : [];
    have = rest.length;
  };
  return (chunk) => {
    parts.push(chunk);
    have += chunk.length;
    for (;;) {
      if (header === null) {
        if (have === 0) return;
        const all = joined();
        const nl = all.indexOf(10);
        if (nl === -1) return;
        const fields = all.subarray(0, nl).toString("utf8").split(" ");
        keep(all.subarray(nl + 1));
        if (fields[1] === "missing") continue;
        header = { sha: fields[0]!, size: Number(fields[2]) };
      }
      if (have < header.size + 1) return;
      const all = joined();
      onObject(header.sha, all.subarray(0, header.size));
      keep(all.subarray(header.size + 1));
      header = null;
    }
  };
}
