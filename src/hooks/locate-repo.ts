import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";

/** A working tree found by looking for `.git` the way git's discovery does, without running git. */
export interface LocatedRepo {
  /** Canonical (symlink-free) root of the working tree. */
  readonly root: string;
  /** Canonical git dir: `<root>/.git`, or where a `.git` file (linked worktree, submodule) points. */
  readonly gitDir: string;
}

/**
 * Environment variables that change which repository git finds or how it reads it. When one is
 * set, only git itself can say which repository a directory belongs to.
 */
export const GIT_DISCOVERY_ENV = ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_NAMESPACE", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS"] as const;

/**
 * The repository containing `dir`, or null whenever git might see it differently: `dir` is not
 * an existing directory, lies in no repository, is (inside) a git dir or a bare repository, or
 * the walk would cross a filesystem boundary (git stops there). A few stats, so the hook client
 * can name the server's socket before loading anything; the server checks the answer against
 * what git told it, and on null the caller asks git (the in-process path).
 */
export function locateRepo(dir: string): LocatedRepo | null {
  let at: string;
  let dev: number;
  try {
    at = realpathSync(dir);
    const st = statSync(at);
    if (!st.isDirectory()) return null;
    dev = st.dev;
  } catch {
    return null;
  }
  for (;;) {
    const gitDir = gitDirAt(join(at, ".git"));
    if (gitDir !== null) return { root: at, gitDir };
    if (isGitDir(at)) return null;
    const up = dirname(at);
    if (up === at) return null;
    try {
      if (statSync(up).dev !== dev) return null;
    } catch {
      return null;
    }
    at = up;
  }
}

/** `<dir>/.git` as a git dir: a directory, or a file `gitdir: <path>` (linked worktree, submodule). */
function gitDirAt(dotGit: string): string | null {
  try {
    const st = statSync(dotGit);
    if (st.isDirectory()) return isGitDir(dotGit) ? realpathSync(dotGit) : null;
    if (!st.isFile()) return null;
    const line = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim();
    if (!line) return null;
    const target = isAbsolute(line) ? line : join(dirname(dotGit), line);
    return isGitDir(target) ? realpathSync(target) : null;
  } catch {
    return null;
  }
}

/** Git's test: HEAD, and either a `commondir` (linked worktree) or `objects/` and `refs/`. */
function isGitDir(dir: string): boolean {
  const is = (name: string, kind: "file" | "dir") => {
    try {
      const st = statSync(join(dir, name));
      return kind === "file" ? st.isFile() : st.isDirectory();
    } catch {
      return false;
    }
  };
  return is("HEAD", "file") && (is("commondir", "file") || (is("objects", "dir") && is("refs", "dir")));
}
