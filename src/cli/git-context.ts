import type { ActorSignals, CommitSignals } from "../core/actor.js";
import { runGit } from "../snapshot/run-git.js";

export async function repoRoot(dir: string): Promise<string> {
  return (await runGit(dir, ["rev-parse", "--show-toplevel"])).toString().trim();
}

export async function gitDir(root: string): Promise<string> {
  return (await runGit(root, ["rev-parse", "--absolute-git-dir"])).toString().trim();
}

export interface RepoContext {
  readonly root: string;
  readonly gitDir: string;
  /** HEAD's commit, when asked for. */
  readonly head: string | null;
}

/**
 * Root, git dir and HEAD's commit from one git process: a cold check waits for each round of
 * processes (~20 ms apiece here), and these three need only the directory. Null when git
 * refuses (not a repository, no commit yet) or a path holds a newline: the caller then asks
 * one question at a time, to say precisely what is wrong or to read such a path unambiguously.
 */
export async function repoContext(dir: string, withHead: boolean): Promise<RepoContext | null> {
  let out: string;
  try {
    out = (await runGit(dir, repoContextArgs(withHead))).toString("utf8");
  } catch {
    return null;
  }
  return parseRepoContext(out, withHead);
}

/** The one `git` invocation behind repoContext (the launcher's prefetch asks it too). */
export function repoContextArgs(withHead: boolean): string[] {
  return ["rev-parse", "--show-toplevel", "--absolute-git-dir", ...(withHead ? ["--verify", "HEAD^{commit}"] : [])];
}

/** repoContext's reading of that invocation's output. */
export function parseRepoContext(out: string, withHead: boolean): RepoContext | null {
  const lines = out.split("\n");
  const [root, gitDir, head] = lines;
  if (lines.length !== (withHead ? 4 : 3) || lines.at(-1) !== "" || !root || !gitDir || (withHead && !head)) return null;
  return { root, gitDir, head: withHead ? head! : null };
}

/** Resolves a revision to a full commit id, so labels and the cache never depend on a moving ref. */
export async function resolveRev(root: string, rev: string): Promise<string> {
  return (await runGit(root, ["rev-parse", "--verify", "--end-of-options", `${rev}^{commit}`])).toString().trim();
}

export async function currentBranch(root: string): Promise<string | null> {
  try {
    return (await runGit(root, ["symbolic-ref", "--quiet", "--short", "HEAD"])).toString().trim() || null;
  } catch {
    return null;
  }
}

/** Files of the working tree as git sees them: tracked plus untracked-but-not-ignored. */
export async function worktreePaths(root: string): Promise<string[]> {
  const out = (await runGit(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"])).toString("utf8");
  return [...new Set(out.split("\0").filter(Boolean))];
}

const SEP = "\u001e";

/** Author emails and messages of the commits in base..head: the trailers that name an agent. */
export async function commitsBetween(root: string, base: string, head: string, limit = 2048): Promise<CommitSignals[]> {
  const out = (await runGit(root, ["log", `--max-count=${limit}`, `--format=%H%x1f%ae%x1f%B${SEP}`, `${base}..${head}`])).toString("utf8");
  return out
    .split(SEP)
    .map((r) => r.replace(/^\n/, ""))
    .filter((r) => r.trim() !== "")
    .map((r) => {
      const [sha, email, message] = r.split("\u001f");
      return { sha: sha ?? "", authorEmail: email ?? null, message: message ?? "" };
    });
}

export function actorSignals(login: string | null, branch: string | null, commits: readonly CommitSignals[]): ActorSignals {
  return {
    sender: login ? { login, type: login.endsWith("[bot]") ? "Bot" : "User" } : null,
    branch,
    commits,
  };
}
