import { mkdir } from "node:fs/promises";
import type { Readable } from "node:stream";
import { ObjectReader, type GitObject } from "./object-reader.js";
import { listRefsUnder, readRef } from "./ref-reader.js";
import { git, gitText, spawnGit } from "./run-git.js";

export const ZERO_SHA = "0000000000000000000000000000000000000000";
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
/** Annotated tags of tags followed before giving up. */
const MAX_TAG_HOPS = 8;

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch, as stored in the object. */
  seconds: number;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

export interface TreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size: number | null;
  path: string;
}

export interface DiffEntry {
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed";
  filename: string;
  previous_filename?: string;
  sha: string;
  additions: number;
  deletions: number;
}

const STATUS: Record<string, DiffEntry["status"]> = { A: "added", D: "removed", M: "modified", R: "renamed", C: "copied", T: "changed" };

function parseSignature(line: string): Signature {
  const m = /^(.*) <(.*)> (\d+) [+-]\d{4}$/.exec(line);
  return m ? { name: m[1]!, email: m[2]!, seconds: Number(m[3]) } : { name: "", email: "", seconds: 0 };
}

/** A bare repository (shared by a repo and its forks, like GitHub's fork network). */
export class GitStore {
  private readonly reader: ObjectReader;

  private constructor(readonly gitDir: string) {
    this.reader = new ObjectReader(gitDir);
  }

  static async init(gitDir: string, defaultBranch: string): Promise<GitStore> {
    await mkdir(gitDir, { recursive: true });
    await git(gitDir, ["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`]);
    return new GitStore(gitDir);
  }

  close(): void {
    this.reader.close();
  }

  readObject(sha: string): Promise<GitObject | null> {
    return this.reader.read(sha);
  }

  async commit(sha: string): Promise<CommitInfo | null> {
    const obj = await this.reader.read(sha);
    if (!obj || obj.type !== "commit") return null;
    const text = obj.data.toString("utf8");
    const split = text.indexOf("\n\n");
    const headers = (split < 0 ? text : text.slice(0, split)).split("\n");
    const info: CommitInfo = { sha: obj.sha, tree: "", parents: [], author: parseSignature(""), committer: parseSignature(""), message: split < 0 ? "" : text.slice(split + 2) };
    for (const h of headers) {
      const sp = h.indexOf(" ");
      const key = h.slice(0, sp);
      const value = h.slice(sp + 1);
      if (key === "tree") info.tree = value;
      else if (key === "parent") info.parents.push(value);
      else if (key === "author") info.author = parseSignature(value);
      else if (key === "committer") info.committer = parseSignature(value);
    }
    return info;
  }

  /** Peels any object id to the commit it names, or null. */
  async commitSha(name: string): Promise<string | null> {
    const obj = await this.reader.read(name);
    return obj?.type === "commit" ? obj.sha : null;
  }

  /** The commit a ref names, peeling annotated tags (see ref-reader.ts: no process per question). */
  async refSha(fullRef: string): Promise<string | null> {
    let sha = await readRef(this.gitDir, fullRef);
    for (let hops = 0; sha !== null && hops < MAX_TAG_HOPS; hops++) {
      const obj = await this.reader.read(sha);
      if (!obj) return null;
      if (obj.type === "commit") return obj.sha;
      if (obj.type !== "tag") return null;
      sha = /^object ([0-9a-f]{40})$/m.exec(obj.data.toString("utf8"))?.[1] ?? null;
    }
    return null;
  }

  listRefs(prefix: string): Promise<{ ref: string; sha: string }[]> {
    return listRefsUnder(this.gitDir, prefix);
  }

  /** Compare-and-swap: `oldSha` null means the ref must not exist yet. */
  async updateRef(fullRef: string, newSha: string, oldSha: string | null): Promise<void> {
    await git(this.gitDir, ["update-ref", fullRef, newSha, oldSha ?? ZERO_SHA]);
  }

  async deleteRef(fullRef: string): Promise<void> {
    await git(this.gitDir, ["update-ref", "-d", fullRef]);
  }

  async lsTree(treeish: string, recursive: boolean): Promise<TreeEntry[]> {
    const args = ["ls-tree", "-z", "-l", ...(recursive ? ["-r", "-t"] : []), treeish];
    const out = await gitText(this.gitDir, args);
    return out.split("\0").filter(Boolean).map((rec) => {
      const tab = rec.indexOf("\t");
      const [mode, type, sha, size] = rec.slice(0, tab).split(/\s+/) as [string, TreeEntry["type"], string, string];
      return { mode, type, sha, size: size === "-" ? null : Number(size), path: rec.slice(tab + 1) };
    });
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const r = await git(this.gitDir, ["merge-base", a, b], { okCodes: [1] });
    return r.code === 0 ? r.stdout.toString().trim() : null;
  }

  async isAncestor(ancestor: string, of: string): Promise<boolean> {
    const r = await git(this.gitDir, ["merge-base", "--is-ancestor", ancestor, of], { okCodes: [1] });
    return r.code === 0;
  }

  /** Commits reachable from `head` but not from any of `exclude`, oldest first. */
  async revList(head: string, exclude: readonly string[], max?: number): Promise<string[]> {
    const args = ["rev-list", "--reverse", "--topo-order", head, ...(exclude.length ? ["--not", ...exclude] : [])];
    const shas = (await gitText(this.gitDir, args)).split("\n").filter(Boolean);
    return max === undefined ? shas : shas.slice(0, max);
  }

  /** Tree-to-tree diff with rename detection, as GitHub's compare and PR files show it. */
  async diff(base: string | null, head: string): Promise<DiffEntry[]> {
    const from = base ?? EMPTY_TREE;
    const raw = (await gitText(this.gitDir, ["diff-tree", "-r", "-z", "-M", "--raw", from, head])).split("\0");
    const num = (await gitText(this.gitDir, ["diff-tree", "-r", "-z", "-M", "--numstat", from, head])).split("\0");
    const counts = new Map<string, [number, number]>();
    for (let i = 0; i < num.length; i++) {
      const m = /^(\d+|-)\t(\d+|-)\t(.*)$/.exec(num[i]!);
      if (!m) continue;
      let path = m[3]!;
      if (path === "") { path = num[i + 2]!; i += 2; } // rename: "\0old\0new"
      counts.set(path, [m[1] === "-" ? 0 : Number(m[1]), m[2] === "-" ? 0 : Number(m[2])]);
    }
    const entries: DiffEntry[] = [];
    for (let i = 0; i < raw.length; i++) {
      const rec = raw[i]!;
      if (!rec.startsWith(":")) continue;
      const [, , , newSha, statusField] = rec.slice(1).split(" ") as string[];
      const code = statusField![0]!;
      const two = code === "R" || code === "C";
      const first = raw[++i]!;
      const second = two ? raw[++i]! : undefined;
      const filename = second ?? first;
      const [additions, deletions] = counts.get(filename) ?? [0, 0];
      entries.push({
        status: STATUS[code] ?? "modified",
        filename,
        ...(two ? { previous_filename: first } : {}),
        sha: code === "D" ? ZERO_SHA : newSha!,
        additions,
        deletions,
      });
    }
    return entries;
  }

  /** Three-way merge without a worktree (git ≥ 2.38); null on conflicts. */
  async mergeTree(ours: string, theirs: string): Promise<string | null> {
    const r = await git(this.gitDir, ["merge-tree", "--write-tree", "--no-messages", ours, theirs], { okCodes: [1] });
    return r.code === 0 ? r.stdout.toString().split("\n")[0]!.trim() : null;
  }

  async commitTree(tree: string, parents: readonly string[], message: string, env: NodeJS.ProcessEnv): Promise<string> {
    const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-F", "-"];
    return (await gitText(this.gitDir, args, { input: message, env })).trim();
  }

  archive(sha: string, prefix: string): Readable {
    const child = spawnGit(this.gitDir, ["archive", "--format=tar.gz", `--prefix=${prefix}`, sha]);
    child.stdin!.end();
    return child.stdout!;
  }
}
