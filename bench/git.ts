import { execFileSync } from "node:child_process";

/**
 * The few git operations the benchmark needs. Plumbline reads the committed tree, so every
 * benchmarked tree must be a commit. Identity, dates and config are pinned so generated
 * repositories get the same commit SHAs on every machine and no user hook, signing setup
 * or template interferes.
 */

const FIXED_ENV = {
  GIT_AUTHOR_NAME: "Plumbline Bench",
  GIT_AUTHOR_EMAIL: "bench@plumbline.invalid",
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_NAME: "Plumbline Bench",
  GIT_COMMITTER_EMAIL: "bench@plumbline.invalid",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  // A clone must never reach the network for LFS objects.
  GIT_LFS_SKIP_SMUDGE: "1",
};

const GIT_TIMEOUT_MS = 5 * 60_000;

export function git(cwd: string, args: readonly string[]): string {
  return execFileSync("git", ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", ...args], {
    cwd,
    env: { ...process.env, ...FIXED_ENV },
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    timeout: GIT_TIMEOUT_MS,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function initAndCommitAll(dir: string, message: string): void {
  git(dir, ["init", "-q", "-b", "main"]);
  commitAll(dir, message);
}

export function commitAll(dir: string, message: string): void {
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "--no-verify", "-m", message]);
}

/** Repository-relative paths of every file in HEAD. */
export function listTrackedFiles(dir: string): string[] {
  return git(dir, ["ls-tree", "-r", "-z", "--name-only", "HEAD"]).split("\0").filter((p) => p !== "");
}

export function topLevel(dir: string): string {
  return git(dir, ["rev-parse", "--show-toplevel"]).trim();
}

/**
 * A private working copy of someone's repository, so the benchmark can add a rule and
 * commit a change without touching the original. A local clone hard-links immutable
 * objects, so it is fast and cannot alter the source repository's data.
 */
export function cloneRepo(source: string, dest: string): void {
  execFileSync("git", ["clone", "-q", "--no-recurse-submodules", source, dest], {
    env: { ...process.env, ...FIXED_ENV },
    timeout: GIT_TIMEOUT_MS,
    stdio: ["ignore", "ignore", "pipe"],
  });
}
