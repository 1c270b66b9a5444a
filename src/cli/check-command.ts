import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkRevision, type CheckOutcome } from "../check/check-revision.js";
import { dirFileSource } from "../snapshot/dir-file-source.js";
import { diskRecordCache } from "../snapshot/disk-record-cache.js";
import { gitFileSource } from "../snapshot/git-file-source.js";
import { stagedFileSource } from "../snapshot/staged-file-source.js";
import { createParsePool } from "../snapshot/parse-pool.js";
import { GitError } from "../snapshot/run-git.js";
import { actorSignals, commitsBetween, currentBranch, gitDir, repoContext, repoRoot, resolveRev, worktreePaths, type RepoContext } from "./git-context.js";
import { CHECK_OPTIONS } from "./check-options.js";
import type { HeadPrefetch } from "./head-prefetch.js";
import { renderJson } from "./render-json.js";
import { renderSarif } from "./render-sarif.js";
import { renderText } from "./render-text.js";
import { UsageError, type Io } from "./io.js";

export const CHECK_USAGE = `Usage: plumbline check [dir] [--base REV] [--actor LOGIN] [--format text|json|sarif] [--worktree|--staged] [--no-cache]

Evaluates every invariant in invariants/*.yml (and .github/invariants/*.yml) against the
committed tree of HEAD (or the working tree with --worktree, the index with --staged).
  --base REV     judge the change base..HEAD: invariants come from REV, findings are
                 introduced / persisting / resolved, and policy edits are shown as a diff
  --actor LOGIN  who made the change (e.g. claude[bot]); commit trailers and the branch
                 name are read too
  --format       text (default), json (see README), sarif (GitHub code scanning)
Exit: 0 nothing blocking, 1 a blocking finding, 2 invalid invariant files or usage.`;

// One check per process: parsing may take every core but this thread's. More threads than
// that only compete for the same cores, and each holds its own copy of the source text.
const PARSE_THREADS = Math.max(0, Math.min(3, availableParallelism() - 1));
/**
 * Parse threads only for this much source text or more. A thread takes ~20 ms to start and then
 * runs the scanner cold, in its own JIT, while sharing the cores with this thread and V8's
 * compiler and GC threads. Cold checks on the synthetic benchmark trees (2 cores, medians of
 * 5–10 interleaved runs; one thread vs none): 1k files (2.7 MB) 307 vs 280 ms, 2k (5.4 MB) 397
 * vs 419 ms, 10k (27 MB) 1.13 vs 1.31 s. Below it the pool runs one verdict thread, which only
 * runs oxc's syntax check (native code, no JIT to warm): 1k cold, 30 interleaved runs, median
 * 863 → 821 ms on the same 2 cores in a slower hour (see parse-pool.ts).
 */
const PARALLEL_PARSE_MIN_BYTES = 4 * 1024 * 1024;

/** `prefetch`: HEAD's context and listing, asked for by the launcher before it loaded this command (head-prefetch.ts). */
export async function checkCommand(args: string[], io: Io, prefetch: HeadPrefetch | null = null): Promise<number> {
  try {
    return await check(args, io, prefetch);
  } finally {
    prefetch?.dispose();
  }
}

async function check(args: string[], io: Io, prefetch: HeadPrefetch | null): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: CHECK_OPTIONS,
  });
  if (values.help) {
    io.stdout(CHECK_USAGE + "\n");
    return 0;
  }
  const format = values.format!;
  if (!["text", "json", "sarif"].includes(format)) throw new UsageError(`--format must be text, json or sarif, got \`${format}\``);
  if (positionals.length > 1) throw new UsageError(`expected at most one directory, got ${positionals.join(" ")}`);
  if (values.worktree && values.staged) throw new UsageError("--worktree and --staged name different trees; pass one");

  const dir = positionals[0] ?? io.cwd;
  const wantsHead = !(values.worktree || values.staged);
  const baseP = values.base ? resolveRev(dir, values.base) : null;
  baseP?.catch(() => {}); // awaited below, after HEAD, so a bad HEAD is reported first
  const pre = prefetch !== null && prefetch.dir === dir && wantsHead ? prefetch : null;
  const context = (await (pre?.context ?? repoContext(dir, wantsHead))) ?? (await repoContextSlowly(dir, wantsHead));
  const root = context.root;
  const headRev = context.head;
  let baseRev: string | null = null;
  try {
    if (baseP) baseRev = await baseP;
  } catch (err) {
    throw new UsageError(`cannot resolve --base ${values.base} to a commit (${err instanceof GitError ? err.stderr.trim() : (err as Error).message})`);
  }
  const file = values["no-cache"] ? null : join(context.gitDir, "plumbline", "records.ndjson");
  // A cold run parses every source file: its threads start once the listing shows enough to
  // parse, before the files are read, and its verdict thread at once (a warm run parses a few
  // files and does without them).
  const parsePool = file === null || !existsSync(file) ? createParsePool(PARSE_THREADS, { encode: file !== null, minBytes: PARALLEL_PARSE_MIN_BYTES }) : null;
  let outcome: CheckOutcome;
  try {
    const head = values.staged ? stagedFileSource(root) : headRev ? gitFileSource(root, headRev, pre ? { prelisted: pre.prelisted } : {}) : dirFileSource(root, { paths: await worktreePaths(root), label: "worktree" });
    const base = baseRev ? gitFileSource(root, baseRev) : null;
    const wantsActor = Boolean(values.actor || baseRev);
    const [commits, branch, cache] = await Promise.all([
      baseRev ? commitsBetween(root, baseRev, headRev ?? "HEAD") : [],
      wantsActor ? currentBranch(root) : null,
      file === null ? undefined : diskRecordCache(file),
    ]);
    const actor = wantsActor ? actorSignals(values.actor ?? null, branch, commits) : null;
    outcome = await checkRevision({ head, base, actor, now: io.now(), ...(parsePool ? { parsePool } : {}), ...(cache ? { cache } : {}) });
    await cache?.flush();
  } finally {
    parsePool?.close();
  }
  const code = exitCodeOf(outcome);
  if (outcome.type === "no-policy" && format === "text") io.stderr(renderText(outcome));
  else io.stdout(format === "json" ? renderJson(outcome, code) + "\n" : format === "sarif" ? renderSarif(outcome) + "\n" : renderText(outcome));
  return code;
}

/** The same facts one question at a time, each failure reported as what it is. */
async function repoContextSlowly(dir: string, wantsHead: boolean): Promise<RepoContext> {
  let root: string;
  try {
    root = await repoRoot(dir);
  } catch (err) {
    throw new UsageError(`${dir} is not inside a git repository (${err instanceof GitError ? err.stderr.trim() : (err as Error).message})`);
  }
  let head: string | null = null;
  if (wantsHead) {
    try {
      head = await resolveRev(root, "HEAD");
    } catch (err) {
      throw new UsageError(`cannot resolve HEAD to a commit (${err instanceof GitError ? err.stderr.trim() : (err as Error).message})`);
    }
  }
  return { root, gitDir: await gitDir(root), head };
}

export function exitCodeOf(outcome: CheckOutcome): number {
  if (outcome.type === "invalid-policy") return 2;
  if (outcome.type === "no-policy") return 0;
  if (outcome.headPolicyErrors.length > 0) return 2;
  return outcome.verdict.conclusion === "failure" ? 1 : 0;
}
