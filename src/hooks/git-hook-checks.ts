import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkRevision, type CheckOutcome } from "../check/check-revision.js";
import type { ActorSignals } from "../core/actor.js";
import { diskRecordCache } from "../snapshot/disk-record-cache.js";
import { gitFileSource } from "../snapshot/git-file-source.js";
import { runGit } from "../snapshot/run-git.js";
import { stagedFileSource } from "../snapshot/staged-file-source.js";

/**
 * What the local git hooks evaluate. Same use case as `plumbline check`: pre-commit is
 * `check --staged --base HEAD`, pre-push is `check --base <remote tip or merge base>` per ref.
 */

export interface LocalRepo {
  readonly root: string;
  readonly gitDir: string;
}

const ZERO = /^0+$/;
const MARKER_FILE = "pre-commit-pass.json";

async function git(root: string, args: string[]): Promise<string | null> {
  try {
    return (await runGit(root, args)).toString("utf8").trim() || null;
  } catch {
    return null;
  }
}

async function withCache<T>(repo: LocalRepo, fn: (cache: Awaited<ReturnType<typeof diskRecordCache>>) => Promise<T>): Promise<T> {
  const cache = await diskRecordCache(join(repo.gitDir, "plumbline", "records.ndjson"));
  const out = await fn(cache);
  await cache.flush().catch(() => undefined);
  return out;
}

/** The staged tree judged against HEAD by HEAD's invariants (the whole tree alone before the first commit). */
export async function checkStaged(repo: LocalRepo, now: Date, actor: ActorSignals): Promise<CheckOutcome> {
  const head = await git(repo.root, ["rev-parse", "-q", "--verify", "HEAD^{commit}"]);
  return withCache(repo, (cache) => checkRevision({ head: stagedFileSource(repo.root), base: head ? gitFileSource(repo.root, head) : null, actor, now, cache }));
}

/**
 * Remembers that the index passed, bound to its tree id, so `prepare-commit-msg` can tell a
 * checked commit from a `--no-verify` one (which skips pre-commit but not prepare-commit-msg).
 */
export async function recordStagedPass(repo: LocalRepo, digest: string): Promise<void> {
  const tree = await git(repo.root, ["write-tree"]);
  if (!tree) return;
  await mkdir(join(repo.gitDir, "plumbline"), { recursive: true });
  await writeFile(join(repo.gitDir, "plumbline", MARKER_FILE), JSON.stringify({ tree, digest }));
}

export async function clearStagedPass(repo: LocalRepo): Promise<void> {
  await rm(join(repo.gitDir, "plumbline", MARKER_FILE), { force: true });
}

/**
 * Adds `Plumbline-Checked: <policy digest>` when pre-commit passed for exactly this tree; the
 * server compares it with its own verdict to see which surface should have stopped a violation.
 */
export async function addCheckedTrailer(repo: LocalRepo, messageFile: string): Promise<boolean> {
  let marker: { tree?: unknown; digest?: unknown };
  try {
    marker = JSON.parse(await readFile(join(repo.gitDir, "plumbline", MARKER_FILE), "utf8")) as typeof marker;
  } catch {
    return false;
  }
  const tree = await git(repo.root, ["write-tree"]);
  if (typeof marker.digest !== "string" || !/^[0-9a-f]{64}$/.test(marker.digest) || marker.tree !== tree) return false;
  await runGit(repo.root, ["interpret-trailers", "--in-place", "--if-exists", "replace", "--trailer", `Plumbline-Checked: ${marker.digest}`, messageFile]);
  return true;
}

export interface PushRange {
  readonly localRef: string;
  readonly localSha: string;
  readonly remoteRef: string;
  /** What the change is judged against; null when nothing shared with the remote was found. */
  readonly base: string | null;
}

/** The ranges git is about to push (pre-push stdin), each with the base it is judged against. Deletions are skipped. */
export async function pushedRanges(repo: LocalRepo, remote: string, stdin: string): Promise<PushRange[]> {
  const ranges: PushRange[] = [];
  for (const line of stdin.split("\n")) {
    const [localRef, localSha, remoteRef, remoteSha] = line.trim().split(/\s+/);
    if (!localRef || !localSha || !remoteRef || !remoteSha || ZERO.test(localSha)) continue;
    // The remote tip is the base when we have it; a new branch (or a tip we never fetched) is
    // judged from where it left the default branch.
    const haveRemote = !ZERO.test(remoteSha) && (await commitExists(repo, remoteSha));
    const base = haveRemote ? remoteSha : await mergeBaseWithDefault(repo, remote, localSha);
    ranges.push({ localRef, localSha, remoteRef, base });
  }
  return ranges;
}

async function commitExists(repo: LocalRepo, sha: string): Promise<boolean> {
  try {
    await runGit(repo.root, ["cat-file", "-e", `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

async function mergeBaseWithDefault(repo: LocalRepo, remote: string, sha: string): Promise<string | null> {
  const remoteHead = await git(repo.root, ["symbolic-ref", "-q", `refs/remotes/${remote}/HEAD`]);
  const candidates = [remoteHead, `refs/remotes/${remote}/main`, `refs/remotes/${remote}/master`, "refs/heads/main", "refs/heads/master"];
  for (const ref of candidates) {
    if (!ref || (await git(repo.root, ["rev-parse", "-q", "--verify", `${ref}^{commit}`])) === null) continue;
    const base = await git(repo.root, ["merge-base", ref, sha]);
    if (base) return base;
  }
  return null;
}

/** One pushed range, judged like the server will: base policy, introduced vs persisting. */
export async function checkPushRange(repo: LocalRepo, range: PushRange, actor: ActorSignals, now: Date): Promise<CheckOutcome> {
  return withCache(repo, (cache) =>
    checkRevision({ head: gitFileSource(repo.root, range.localSha), base: range.base ? gitFileSource(repo.root, range.base) : null, actor, now, cache }),
  );
}
