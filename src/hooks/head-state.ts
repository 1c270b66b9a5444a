import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { optionalGit } from "./repo-state.js";

/** What HEAD is: the commit (null before the first one) and the branch (null when detached). */
export interface HeadState {
  readonly headRev: string | null;
  readonly branch: string | null;
}

export interface HeadReader {
  read(): Promise<HeadState>;
}

/**
 * HEAD as `openRepo` asks git for it, for a process that asks on every hook call. Git is asked
 * again only when a file that stores HEAD or its branch changed (HEAD itself, the loose ref,
 * packed-refs, a reftable's table list): two process spawns saved per call. Files changed in
 * the last `racyMs` are not trusted (same reasoning as the working-tree cache).
 */
export function createHeadReader(root: string, gitDir: string, opts: { racyMs?: number } = {}): HeadReader {
  const racyMs = opts.racyMs ?? 2000;
  const commonDir = commonDirOf(gitDir);
  let known: { sig: string; state: HeadState } | null = null;
  return {
    async read() {
      const { sig, trusted } = signature(gitDir, commonDir, racyMs);
      if (known && known.sig === sig) return known.state;
      const [headRev, branch] = await Promise.all([optionalGit(root, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]), optionalGit(root, ["symbolic-ref", "-q", "--short", "HEAD"])]);
      const state = { headRev, branch };
      known = trusted ? { sig, state } : null;
      return state;
    },
  };
}

function commonDirOf(gitDir: string): string {
  try {
    const rel = readFileSync(join(gitDir, "commondir"), "utf8").trim();
    return isAbsolute(rel) ? rel : join(gitDir, rel);
  } catch {
    return gitDir;
  }
}

function signature(gitDir: string, commonDir: string, racyMs: number): { sig: string; trusted: boolean } {
  const now = Date.now();
  let trusted = true;
  const stamp = (path: string): string => {
    try {
      const st = statSync(path);
      if (now - Math.max(st.mtimeMs, st.ctimeMs) <= racyMs) trusted = false;
      return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch {
      return "-";
    }
  };
  let head: string;
  try {
    head = readFileSync(join(gitDir, "HEAD"), "utf8");
  } catch {
    return { sig: `unreadable:${now}`, trusted: false };
  }
  const ref = /^ref: (\S+)/.exec(head)?.[1];
  // A ref name is a relative path; anything else (`..`, absolute) is left to git every time.
  if (ref !== undefined && (ref.includes("..") || isAbsolute(ref))) return { sig: `odd:${now}`, trusted: false };
  const parts = [head, stamp(join(gitDir, "HEAD")), stamp(join(commonDir, "packed-refs")), stamp(join(commonDir, "reftable", "tables.list"))];
  if (ref !== undefined) {
    parts.push(stamp(join(gitDir, ref)), stamp(join(commonDir, ref)));
    // A branch that is itself a symbolic ref moves with another file: git decides each time.
    if (symbolic(join(gitDir, ref)) || symbolic(join(commonDir, ref))) trusted = false;
  }
  return { sig: parts.join("\n"), trusted };
}


function symbolic(path: string): boolean {
  try {
    return readFileSync(path, "utf8").startsWith("ref:");
  } catch {
    return false;
  }
}
