import type { ActorSignals, CommitSignals } from "../core/actor.js";
import { runGit } from "../snapshot/run-git.js";

export async function repoRoot(dir: string): Promise<string> {
  return (await runGit(dir, ["rev-parse", "--show-toplevel"])).toString().trim();
}

export async function gitDir(root: string): Promise<string> {
  return (await runGit(root, ["rev-parse", "--absolute-git-dir"])).toString().trim();
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
