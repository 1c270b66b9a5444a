import { spawn } from "node:child_process";
import type { EntryType, FileSource, TreeEntry } from "./file-source.js";
import { catFileBatch } from "./git-file-source.js";
import { runGit } from "./run-git.js";

/**
 * The index: what `git commit` would record right now. Read with `ls-files -s` (blob ids) and one
 * `cat-file --batch-check` (sizes), blobs with one `cat-file --batch`, so a pre-commit hook judges
 * exactly the staged bytes, whatever the working tree holds.
 */
export function stagedFileSource(repoDir: string): FileSource {
  let entries: Map<string, TreeEntry> | null = null;
  const list = async (): Promise<TreeEntry[]> => {
    const out = (await runGit(repoDir, ["ls-files", "-s", "-z"])).toString("utf8");
    const staged: Array<{ path: string; sha: string; type: EntryType }> = [];
    for (const rec of out.split("\0")) {
      if (!rec) continue;
      const tab = rec.indexOf("\t");
      const [mode, sha, stage] = rec.slice(0, tab).split(" ");
      // Unmerged paths (stages 1-3) cannot be committed; git refuses before any hook runs.
      if (stage !== "0" || !sha) continue;
      staged.push({ path: rec.slice(tab + 1), sha, type: mode === "160000" ? "submodule" : mode === "120000" ? "symlink" : "file" });
    }
    const sizes = await blobSizes(repoDir, staged.filter((s) => s.type !== "submodule").map((s) => s.sha));
    const result = staged.map((s): TreeEntry => ({ path: s.path, size: sizes.get(s.sha) ?? 0, blobSha: s.sha, type: s.type }));
    result.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    entries = new Map(result.map((e) => [e.path, e]));
    return result;
  };
  return {
    label: "index",
    listFiles: list,
    async readFiles(paths) {
      if (!entries) await list();
      const out = new Map<string, Uint8Array | Error>();
      const wanted: Array<[string, string]> = [];
      for (const p of paths) {
        const e = entries!.get(p);
        if (!e || !e.blobSha || e.type !== "file") out.set(p, new Error(`${p} is not a staged file`));
        else wanted.push([p, e.blobSha]);
      }
      const blobs = await catFileBatch(repoDir, wanted.map(([, sha]) => sha));
      for (const [p, sha] of wanted) out.set(p, blobs.get(sha) ?? new Error(`blob ${sha} of ${p} is missing`));
      return out;
    },
  };
}

/** Blob sizes through one `cat-file --batch-check` (the index records no sizes git will vouch for). */
function blobSizes(repoDir: string, shas: readonly string[]): Promise<Map<string, number>> {
  const unique = [...new Set(shas)];
  const sizes = new Map<string, number>();
  if (unique.length === 0) return Promise.resolve(sizes);
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch-check"], { cwd: repoDir, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`git cat-file --batch-check failed (${code}): ${err.trim()}`));
      for (const line of out.split("\n")) {
        const [sha, type, size] = line.split(" ");
        if (sha && type !== "missing" && size !== undefined) sizes.set(sha, Number(size));
      }
      resolve(sizes);
    });
    child.stdin.end(unique.join("\n") + "\n");
  });
}
