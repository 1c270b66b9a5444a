import { parseArgs } from "node:util";
import type { Prelisted } from "../snapshot/git-file-source.js";
import { runGit } from "../snapshot/run-git.js";
import { CHECK_OPTIONS } from "./check-options.js";
import { parseRepoContext, repoContextArgs, type RepoContext } from "./git-context.js";

/**
 * The git questions every `plumbline check` of HEAD asks first, asked by the launcher before it
 * loads the check (bin/plumbline.js): git answers on another core while this one compiles and
 * runs the bundle (~35 ms), instead of after it (~25 ms on 1k files, most of it `ls-tree -l`
 * reading loose objects' sizes). The answers are only a head start, never trusted blindly:
 * - `context` is the output of the same `rev-parse` the command would run, parsed the same way;
 * - the listing is of `HEAD` at some instant, and `cat-file` reads `HEAD` once more for its
 *   commit and tree ids; gitFileSource takes the listing only when that commit is the one the
 *   command resolved and the listing hashes to that tree id (git-tree-id.ts). If HEAD moved in
 *   between, or anything failed, the command lists the tree itself, as without a prefetch.
 * Nothing here throws or rejects: a question git refuses answers null.
 */
export interface HeadPrefetch {
  /** The directory the command will resolve; the prefetch is for that one only. */
  readonly dir: string;
  readonly context: Promise<RepoContext | null>;
  readonly prelisted: Promise<Prelisted | null>;
  /** Stops what is still running (a command that failed early does not wait for git). */
  dispose(): void;
}

/** Null when these arguments do not check HEAD of one directory (or do not parse: the command reports that). */
export function prefetchHead(args: readonly string[], cwd: string): HeadPrefetch | null {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, strict: true, options: CHECK_OPTIONS });
  } catch {
    return null;
  }
  const { values, positionals } = parsed;
  if (values.help || values.worktree || values.staged || positionals.length > 1) return null;
  const dir = positionals[0] ?? cwd;
  const stop = new AbortController();
  const ask = (gitArgs: string[], stdin?: string): Promise<Buffer | null> => runGit(dir, gitArgs, { signal: stop.signal, ...(stdin === undefined ? {} : { stdin }) }).catch(() => null);
  const context = ask(repoContextArgs(true)).then((out) => (out === null ? null : parseRepoContext(out.toString("utf8"), true)));
  const listing = ask(["ls-tree", "-r", "-l", "-z", "--full-tree", "HEAD"]);
  const head = ask(["cat-file", "--batch"], "HEAD\n").then((out) => (out === null ? null : commitAndTree(out)));
  return {
    dir,
    context,
    prelisted: Promise.all([head, listing]).then(([h, l]) => (h && l ? { ...h, listing: l } : null)),
    dispose: () => stop.abort(),
  };
}

/** `<id> commit <size>\n` then the commit object, whose first line is `tree <id>`. */
function commitAndTree(out: Buffer): { commit: string; tree: string } | null {
  const text = out.toString("utf8");
  const m = /^([0-9a-f]{40}|[0-9a-f]{64}) commit \d+\ntree ([0-9a-f]{40}|[0-9a-f]{64})\n/.exec(text);
  return m ? { commit: m[1]!, tree: m[2]! } : null;
}
