import { spawn } from "node:child_process";
import { runGit } from "./run-git.js";
import type { FileSource, TreeEntry } from "./file-source.js";

/**
 * A committed revision of a local git repository, read with `ls-tree` and one `cat-file --batch`.
 * `pathspecs` limits the listing (the agent hook reads only the invariant folders of HEAD).
 */
export function gitFileSource(repoDir: string, rev: string, opts: { pathspecs?: readonly string[] } = {}): FileSource {
  let entries: Map<string, TreeEntry> | null = null;
  const list = async (): Promise<TreeEntry[]> => {
    const out = await runGit(repoDir, ["ls-tree", "-r", "-l", "-z", "--full-tree", rev, ...(opts.pathspecs?.length ? ["--", ...opts.pathspecs] : [])]);
    const result: TreeEntry[] = [];
    for (const rec of out.toString("utf8").split("\0")) {
      if (!rec) continue;
      const tab = rec.indexOf("\t");
      const [mode, type, sha, size] = rec.slice(0, tab).split(/\s+/);
      const path = rec.slice(tab + 1);
      const kind = type === "commit" ? "submodule" : mode === "120000" ? "symlink" : "file";
      result.push({ path, size: size === "-" ? 0 : Number(size), blobSha: sha ?? null, type: kind });
    }
    result.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    entries = new Map(result.map((e) => [e.path, e]));
    return result;
  };
  return {
    label: rev,
    listFiles: list,
    async readFiles(paths) {
      if (!entries) await list();
      const wanted: Array<[string, string]> = [];
      const out = new Map<string, Uint8Array | Error>();
      for (const p of paths) {
        const e = entries!.get(p);
        if (!e || !e.blobSha || e.type !== "file") out.set(p, new Error(`${p} is not a file in ${rev}`));
        else wanted.push([p, e.blobSha]);
      }
      const blobs = await catFileBatch(repoDir, wanted.map(([, sha]) => sha));
      for (const [p, sha] of wanted) out.set(p, blobs.get(sha) ?? new Error(`blob ${sha} of ${p} is missing`));
      return out;
    },
  };
}

/** Streams many blobs through one git process: one spawn per revision, not one per file. */
export function catFileBatch(repoDir: string, shas: readonly string[]): Promise<Map<string, Uint8Array>> {
  const unique = [...new Set(shas)];
  const result = new Map<string, Uint8Array>();
  if (unique.length === 0) return Promise.resolve(result);
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd: repoDir, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed (${code}): ${stderr.trim()}`));
      const buf = Buffer.concat(chunks);
      let pos = 0;
      while (pos < buf.length) {
        const nl = buf.indexOf(10, pos);
        if (nl === -1) break;
        const header = buf.subarray(pos, nl).toString("utf8").split(" ");
        pos = nl + 1;
        if (header[1] === "missing") continue;
        const size = Number(header[2]);
        result.set(header[0]!, buf.subarray(pos, pos + size));
        pos += size + 1;
      }
      resolve(result);
    });
    child.stdin.end(unique.join("\n") + "\n");
  });
}
