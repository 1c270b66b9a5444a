import type { Core } from "./core.js";
import { forkRepo } from "./control-repos.js";
import { signatureEnv } from "./write-commit.js";
import { pullShas } from "./render-pull.js";
import { branchRef, branchTip } from "./repo-refs.js";
import { fullName, type AccountType, type PullRecord, type RepoRecord } from "./state.js";

export interface OpenPullInput {
  head: string;
  base?: string;
  title: string;
  body?: string;
  user: { login: string; type?: AccountType; id?: number };
  /** The head branch lives in `<user.login>/<repo name>`, a fork (created on first use). */
  fromFork?: boolean;
  draft?: boolean;
  labels?: string[];
}

export interface PullChanges {
  title?: { from: string };
  body?: { from: string | null };
  base?: { ref: { from: string }; sha: { from: string } };
}

export function findPull(core: Core, repo: RepoRecord, number: number): PullRecord {
  const pr = core.state.pullsOf(repo.id).find((p) => p.number === number);
  if (!pr) throw new Error(`fake-github: no pull request #${number} in ${fullName(repo)}`);
  return pr;
}

export async function openPull(core: Core, repo: RepoRecord, input: OpenPullInput): Promise<PullRecord> {
  const user = core.state.user(input.user.login, input.user.type ?? "User", input.user.id);
  const headRepo = input.fromFork ? await forkRepo(core, repo, user.login) : repo;
  const base = input.base ?? repo.defaultBranch;
  const head = await branchTip(headRepo, input.head);
  if (!head) throw new Error(`fake-github: no branch ${input.head} in ${fullName(headRepo)}`);
  if (!(await branchTip(repo, base))) throw new Error(`fake-github: no base branch ${base} in ${fullName(repo)}`);
  const dup = core.state.pullsOf(repo.id).find((p) => p.state === "open" && p.headRepoId === headRepo.id && p.headRef === input.head && p.baseRef === base);
  if (dup) throw new Error(`fake-github: a pull request already exists for ${headRepo.owner.login}:${input.head} (#${dup.number})`);
  const now = core.clock.now();
  const pr: PullRecord = {
    id: core.state.nextId(), number: repo.nextNumber++, repoId: repo.id, headRepoId: headRepo.id, headRef: input.head, baseRef: base,
    lastHeadSha: head, frozenBaseSha: null, title: input.title, body: input.body ?? null, user, state: "open", draft: input.draft ?? false,
    merged: false, mergedAt: null, mergedBy: null, mergeCommitSha: null, closedAt: null, createdAt: now, updatedAt: now,
    labels: input.labels ?? [], comments: [],
  };
  core.state.pullsOf(repo.id).push(pr);
  return pr;
}

/** Returns GitHub's `changes` object for the `pull_request.edited` payload. */
export async function updatePull(
  core: Core, repo: RepoRecord, pr: PullRecord,
  update: { title?: string; body?: string | null; base?: string; state?: "open" | "closed"; draft?: boolean },
): Promise<PullChanges> {
  const changes: PullChanges = {};
  if (update.title !== undefined && update.title !== pr.title) { changes.title = { from: pr.title }; pr.title = update.title; }
  if (update.body !== undefined && update.body !== pr.body) { changes.body = { from: pr.body }; pr.body = update.body; }
  if (update.base !== undefined && update.base !== pr.baseRef) {
    const oldSha = (await pullShas(core, pr)).base;
    if (!(await branchTip(repo, update.base))) throw new Error(`fake-github: no base branch ${update.base}`);
    changes.base = { ref: { from: pr.baseRef }, sha: { from: oldSha } };
    pr.baseRef = update.base;
  }
  if (update.draft !== undefined) pr.draft = update.draft;
  if (update.state === "closed" && pr.state === "open") {
    pr.frozenBaseSha = (await pullShas(core, pr)).base;
    pr.state = "closed";
    pr.closedAt = core.clock.now();
  } else if (update.state === "open" && pr.state === "closed" && !pr.merged) {
    pr.state = "open";
    pr.closedAt = null;
    pr.frozenBaseSha = null;
  }
  pr.updatedAt = core.clock.now();
  return changes;
}

const MERGER = { name: "GitHub", email: "noreply@github.com" };

/** A real merge (or squash) commit built with `git merge-tree`; moves the base branch like GitHub. */
export async function mergePull(
  core: Core, repo: RepoRecord, pr: PullRecord, opts: { method?: "merge" | "squash"; mergedBy?: string } = {},
): Promise<string> {
  if (pr.state !== "open") throw new Error(`fake-github: #${pr.number} is not open`);
  const { head, base } = await pullShas(core, pr);
  const tree = await repo.store.mergeTree(base, head);
  if (!tree) throw new Error(`fake-github: #${pr.number} has conflicts`);
  repo.commitCount += 1;
  const seconds = 1_704_067_200 + repo.commitCount * 60;
  const message = opts.method === "squash" ? `${pr.title} (#${pr.number})` : `Merge pull request #${pr.number} from ${core.state.repos.get(pr.headRepoId)!.owner.login}/${pr.headRef}\n\n${pr.title}`;
  const parents = opts.method === "squash" ? [base] : [base, head];
  const sha = await repo.store.commitTree(tree, parents, message, signatureEnv(MERGER, MERGER, seconds));
  await repo.store.updateRef(branchRef(repo, pr.baseRef), sha, base);
  Object.assign(pr, {
    state: "closed", merged: true, mergedAt: core.clock.now(), closedAt: core.clock.now(), mergeCommitSha: sha, frozenBaseSha: base,
    lastHeadSha: head, mergedBy: core.state.user(opts.mergedBy ?? repo.owner.login), updatedAt: core.clock.now(),
  });
  repo.pushedAt = core.clock.now();
  return sha;
}

export interface MergeGroup {
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
}

/** What the merge queue does: a merge commit of the PR onto the base tip, on a `gh-readonly-queue/…` branch. */
export async function createMergeGroup(core: Core, repo: RepoRecord, pr: PullRecord): Promise<MergeGroup> {
  const { head, base } = await pullShas(core, pr);
  const tree = await repo.store.mergeTree(base, head);
  if (!tree) throw new Error(`fake-github: #${pr.number} conflicts with ${pr.baseRef}`);
  repo.commitCount += 1;
  const headSha = await repo.store.commitTree(tree, [base, head], `Merge pull request #${pr.number}\n\n${pr.title}`, signatureEnv(MERGER, MERGER, 1_704_067_200 + repo.commitCount * 60));
  const branch = `gh-readonly-queue/${pr.baseRef}/pr-${pr.number}-${base}`;
  await repo.store.updateRef(branchRef(repo, branch), headSha, null);
  return { headSha, headRef: `refs/heads/${branch}`, baseSha: base, baseRef: `refs/heads/${pr.baseRef}` };
}
