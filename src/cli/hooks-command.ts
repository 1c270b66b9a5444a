import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { addCheckedTrailer, checkPushRange, checkStaged, clearStagedPass, pushedRanges, recordStagedPass, type LocalRepo } from "../hooks/git-hook-checks.js";
import { ensureGitHooks, MANAGED_HOOKS, removeGitHooks, type HookReport } from "../hooks/git-hooks.js";
import { GitError } from "../snapshot/run-git.js";
import { exitCodeOf } from "./check-command.js";
import { actorSignals, commitsBetween, currentBranch, gitDir, repoRoot } from "./git-context.js";
import { UsageError, type Io } from "./io.js";
import { renderText } from "./render-text.js";

export const HOOKS_USAGE = `Usage: plumbline hooks install [dir] | hooks uninstall [dir]

Installs git hooks that run the same checks locally:
  pre-commit          the staged tree vs HEAD (\`plumbline check --staged --base HEAD\`)
  prepare-commit-msg  adds \`Plumbline-Checked: <policy digest>\` when pre-commit passed
  pre-push            each pushed range vs the remote tip (or its merge base with the default branch)
Re-installing is safe; an existing hook is kept and chained (runs first), never overwritten.`;

type Stdin = AsyncIterable<Buffer | string>;

export async function hooksCommand(args: string[], io: Io, stdin: Stdin = process.stdin): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "run") return runHook(rest, io, stdin);
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { help: { type: "boolean", short: "h", default: false } } });
  if (values.help || sub === undefined || sub === "--help" || sub === "-h") {
    io.stdout(HOOKS_USAGE + "\n");
    return sub === undefined ? 2 : 0;
  }
  if (sub !== "install" && sub !== "uninstall") throw new UsageError(`expected \`install\` or \`uninstall\`, got \`${sub}\``);
  if (positionals.length > 1) throw new UsageError(`expected at most one directory, got ${positionals.join(" ")}`);
  const root = await rootOf(positionals[0] ?? io.cwd);
  let reports: HookReport[];
  try {
    reports = sub === "install" ? await ensureGitHooks(root, { node: process.execPath, bin: binPath() }) : await removeGitHooks(root);
  } catch (err) {
    io.stderr(`plumbline hooks ${sub}: ${(err as Error).message}\n`);
    return 1;
  }
  for (const r of reports) io.stdout(`${r.action.padEnd(9)} ${r.hook}  ${r.path}\n`);
  return 0;
}

/** The launcher the scripts call: this installation's own bin, so hooks run the version that installed them. */
function binPath(): string {
  return fileURLToPath(new URL("../../bin/plumbline.js", import.meta.url));
}

async function rootOf(dir: string): Promise<string> {
  try {
    return await repoRoot(dir);
  } catch (err) {
    throw new UsageError(`${dir} is not inside a git repository (${err instanceof GitError ? err.stderr.trim() : (err as Error).message})`);
  }
}

/** `plumbline hooks run <hook> [git's arguments]`: what the installed scripts call. */
async function runHook(args: string[], io: Io, stdin: Stdin): Promise<number> {
  const [hook, ...gitArgs] = args;
  if (!MANAGED_HOOKS.includes(hook as (typeof MANAGED_HOOKS)[number])) throw new UsageError(`expected one of ${MANAGED_HOOKS.join(", ")}, got \`${hook ?? "(nothing)"}\``);
  const root = await rootOf(io.cwd);
  const repo: LocalRepo = { root, gitDir: await gitDir(root) };
  if (hook === "pre-commit") return preCommit(repo, io);
  if (hook === "prepare-commit-msg") {
    // Decoration only: a failure here must never cost anyone their commit message.
    if (gitArgs[0]) await addCheckedTrailer(repo, gitArgs[0]).catch(() => false);
    return 0;
  }
  return prePush(repo, gitArgs[0] ?? "origin", await readAll(stdin), io);
}

async function preCommit(repo: LocalRepo, io: Io): Promise<number> {
  await clearStagedPass(repo);
  const outcome = await checkStaged(repo, io.now(), actorSignals(null, await currentBranch(repo.root), []));
  const code = exitCodeOf(outcome);
  if (code !== 0) {
    io.stderr(renderText(outcome));
    io.stderr("\nplumbline: commit refused by the pre-commit hook. Fix the findings above and commit again.\n");
    return code;
  }
  if (outcome.type === "verdict") await recordStagedPass(repo, outcome.verdict.policyDigest);
  return 0;
}

async function prePush(repo: LocalRepo, remote: string, input: string, io: Io): Promise<number> {
  let worst = 0;
  for (const range of await pushedRanges(repo, remote, input)) {
    const branch = range.localRef.startsWith("refs/heads/") ? range.localRef.slice("refs/heads/".length) : null;
    const commits = range.base ? await commitsBetween(repo.root, range.base, range.localSha) : [];
    const outcome = await checkPushRange(repo, range, actorSignals(null, branch, commits), io.now());
    const code = exitCodeOf(outcome);
    if (code === 0) continue;
    worst = Math.max(worst, code);
    io.stderr(renderText(outcome));
    io.stderr(`\nplumbline: push of ${range.localRef} refused by the pre-push hook (judged ${range.base ? `${range.base.slice(0, 12)}..${range.localSha.slice(0, 12)}` : `${range.localSha.slice(0, 12)} alone`}).\n`);
  }
  return worst;
}

async function readAll(stream: Stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString("utf8");
}
