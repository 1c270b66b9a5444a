import type { FileSource } from "../snapshot/file-source.js";
import { runGit } from "../snapshot/run-git.js";
import { worktreeFileSource } from "../snapshot/worktree-file-source.js";
import { canonical, type ChangeContext } from "./intended-change.js";

/** A repository as an agent finds it before its next tool call. */
export interface RepoState {
  /** Canonical repository root. */
  readonly root: string;
  readonly gitDir: string;
  /** Commit id of HEAD; null before the first commit. */
  readonly headRev: string | null;
  readonly branch: string | null;
  /** The working tree as it is now, before the change. */
  readonly worktree: FileSource;
}

/** The repository containing `dir`, or null when `dir` is not inside one (then nothing is ours to judge). */
export async function openRepo(dir: string): Promise<RepoState | null> {
  let lines: string[];
  try {
    lines = (await runGit(dir, ["rev-parse", "--show-toplevel", "--absolute-git-dir"])).toString("utf8").trim().split("\n");
  } catch {
    return null;
  }
  const [top, gitDir] = lines;
  if (!top || !gitDir) return null;
  const root = canonical(top);
  const [headRev, branch] = await Promise.all([optionalGit(root, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]), optionalGit(root, ["symbolic-ref", "-q", "--short", "HEAD"])]);
  return { root, gitDir, headRev, branch, worktree: worktreeFileSource(root) };
}

export async function optionalGit(root: string, args: string[]): Promise<string | null> {
  try {
    return (await runGit(root, args)).toString("utf8").trim() || null;
  } catch {
    return null;
  }
}

/** What the intended-change builders read: the working tree listing and file bytes. */
export async function changeContext(repo: RepoState, cwd: string): Promise<ChangeContext> {
  return {
    root: repo.root,
    cwd: canonical(cwd),
    // Listed only when a builder needs the tree (a Bash `rm -r dir`): most calls never do.
    files: () => repo.worktree.listFiles(),
    async read(path) {
      const data = (await repo.worktree.readFiles([path])).get(path);
      return data === undefined || data instanceof Error ? null : data;
    },
  };
}
