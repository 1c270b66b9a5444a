import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkRevision, type CheckOutcome } from "../check/check-revision.js";
import { dirFileSource } from "../snapshot/dir-file-source.js";
import { diskRecordCache } from "../snapshot/disk-record-cache.js";
import { gitFileSource } from "../snapshot/git-file-source.js";
import { stagedFileSource } from "../snapshot/staged-file-source.js";
import { GitError } from "../snapshot/run-git.js";
import { actorSignals, commitsBetween, currentBranch, gitDir, repoRoot, resolveRev, worktreePaths } from "./git-context.js";
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

export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      base: { type: "string" },
      actor: { type: "string" },
      format: { type: "string", default: "text" },
      worktree: { type: "boolean", default: false },
      staged: { type: "boolean", default: false },
      "no-cache": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout(CHECK_USAGE + "\n");
    return 0;
  }
  const format = values.format!;
  if (!["text", "json", "sarif"].includes(format)) throw new UsageError(`--format must be text, json or sarif, got \`${format}\``);
  if (positionals.length > 1) throw new UsageError(`expected at most one directory, got ${positionals.join(" ")}`);
  if (values.worktree && values.staged) throw new UsageError("--worktree and --staged name different trees; pass one");

  let root: string;
  try {
    root = await repoRoot(positionals[0] ?? io.cwd);
  } catch (err) {
    throw new UsageError(`${positionals[0] ?? io.cwd} is not inside a git repository (${err instanceof GitError ? err.stderr.trim() : (err as Error).message})`);
  }
  let headRev: string | null = null;
  let baseRev: string | null = null;
  try {
    if (!values.worktree && !values.staged) headRev = await resolveRev(root, "HEAD");
    if (values.base) baseRev = await resolveRev(root, values.base);
  } catch (err) {
    const what = values.base && (headRev !== null || values.worktree || values.staged) ? `--base ${values.base}` : "HEAD";
    throw new UsageError(`cannot resolve ${what} to a commit (${err instanceof GitError ? err.stderr.trim() : (err as Error).message})`);
  }

  const head = values.staged ? stagedFileSource(root) : headRev ? gitFileSource(root, headRev) : dirFileSource(root, { paths: await worktreePaths(root), label: "worktree" });
  const base = baseRev ? gitFileSource(root, baseRev) : null;
  const commits = baseRev ? await commitsBetween(root, baseRev, headRev ?? "HEAD") : [];
  const branch = await currentBranch(root);
  const actor = values.actor || baseRev ? actorSignals(values.actor ?? null, branch, commits) : null;
  const cache = values["no-cache"] ? undefined : await diskRecordCache(join(await gitDir(root), "plumbline", "records.ndjson"));

  const outcome = await checkRevision({ head, base, actor, now: io.now(), ...(cache ? { cache } : {}) });
  await cache?.flush();
  const code = exitCodeOf(outcome);
  if (outcome.type === "no-policy" && format === "text") io.stderr(renderText(outcome));
  else io.stdout(format === "json" ? renderJson(outcome, code) + "\n" : format === "sarif" ? renderSarif(outcome) + "\n" : renderText(outcome));
  return code;
}

export function exitCodeOf(outcome: CheckOutcome): number {
  if (outcome.type === "invalid-policy") return 2;
  if (outcome.type === "no-policy") return 0;
  if (outcome.headPolicyErrors.length > 0) return 2;
  return outcome.verdict.conclusion === "failure" ? 1 : 0;
}
