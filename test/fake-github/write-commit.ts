import { mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { git, gitText } from "./run-git.js";
import { EMPTY_TREE, type GitStore } from "./git-store.js";

/** A file's new content; `null` deletes the path (or every file under it, for a folder). */
export type FileSpec =
  | string
  | Buffer
  | null
  | { content: string | Buffer; executable?: boolean }
  | { symlink: string }
  | { submodule: string };

export interface Person {
  name: string;
  email: string;
}

export interface WriteCommitInput {
  parents: readonly string[];
  /** Tree the file changes apply to; defaults to the first parent's tree. */
  baseTree?: string;
  files: Readonly<Record<string, FileSpec>>;
  message: string;
  author: Person;
  committer: Person;
  seconds: number;
}

function normalizePath(path: string): string {
  const clean = path.replace(/^\/+/, "");
  if (!clean || clean.split("/").some((s) => s === "" || s === "." || s === ".." || s === ".git")) {
    throw new Error(`fake-github: invalid file path ${JSON.stringify(path)}`);
  }
  return clean;
}

export function signatureEnv(author: Person, committer: Person, seconds: number): NodeJS.ProcessEnv {
  const date = `${seconds} +0000`;
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: date,
  };
}

/**
 * All blobs of a commit in one `git fast-import` run (one pack, no temp files): a 10k-file
 * fixture repository is written in a fraction of a second instead of several.
 */
async function writeBlobs(store: GitStore, tmp: string, contents: Buffer[]): Promise<string[]> {
  if (contents.length === 0) return [];
  const parts: Buffer[] = [];
  contents.forEach((c, i) => parts.push(Buffer.from(`blob\nmark :${i + 1}\ndata ${c.length}\n`), c, Buffer.from("\n")));
  const marks = join(tmp, "marks");
  await git(store.gitDir, ["fast-import", "--quiet", `--export-marks=${marks}`], { input: Buffer.concat(parts) });
  const shas: string[] = [];
  for (const line of (await readFile(marks, "utf8")).split("\n")) {
    const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
    if (m) shas[Number(m[1]) - 1] = m[2]!;
  }
  return shas;
}

/**
 * Writes real objects with plumbing only (fast-import for blobs, update-index on a throwaway
 * index, write-tree, commit-tree): no worktree, no hooks, and the same inputs give the same SHA.
 */
export async function writeCommit(store: GitStore, input: WriteCommitInput): Promise<string> {
  const tmp = await mkdtemp(join(store.gitDir, "..", ".fake-commit-"));
  const env = { GIT_INDEX_FILE: join(tmp, "index") };
  try {
    const first = input.parents[0];
    const baseTree = input.baseTree ?? (first ? (await store.commit(first))?.tree : undefined) ?? EMPTY_TREE;
    await git(store.gitDir, ["read-tree", baseTree], { env });

    const entries = Object.entries(input.files).map(([p, spec]) => [normalizePath(p), spec] as const);
    const deletions = entries.filter(([, s]) => s === null).map(([p]) => p);
    const lines: string[] = [];
    if (deletions.length) {
      const indexed = (await gitText(store.gitDir, ["ls-files", "-z"], { env })).split("\0").filter(Boolean);
      for (const path of indexed) {
        if (deletions.some((d) => path === d || path.startsWith(`${d}/`))) lines.push(`0 ${"0".repeat(40)}\t${path}`);
      }
    }

    const blobs: { path: string; mode: string; content: Buffer }[] = [];
    for (const [path, spec] of entries) {
      if (spec === null) continue;
      if (typeof spec === "object" && "submodule" in spec) {
        lines.push(`160000 ${spec.submodule}\t${path}`);
        continue;
      }
      let content: string | Buffer;
      let mode = "100644";
      if (typeof spec === "string" || Buffer.isBuffer(spec)) content = spec;
      else if ("symlink" in spec) { content = spec.symlink; mode = "120000"; }
      else { content = spec.content; if (spec.executable) mode = "100755"; }
      blobs.push({ path, mode, content: Buffer.from(content) });
    }
    const shas = await writeBlobs(store, tmp, blobs.map((b) => b.content));
    blobs.forEach((b, i) => lines.push(`${b.mode} ${shas[i]}\t${b.path}`));
    if (lines.length) {
      await git(store.gitDir, ["update-index", "-z", "--index-info"], { env, input: lines.join("\0") + "\0" });
    }
    const tree = (await gitText(store.gitDir, ["write-tree"], { env })).trim();
    return await store.commitTree(tree, input.parents, input.message, signatureEnv(input.author, input.committer, input.seconds));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
