import { iso } from "./clock.js";
import type { Core } from "./core.js";
import { renderRepo, renderUser } from "./render-account.js";
import { branchTip } from "./repo-refs.js";
import { fullName, type PullRecord, type RepoRecord } from "./state.js";

export interface PullShas {
  head: string;
  base: string;
  /** What the PR's commits and files are computed against. */
  mergeBase: string | null;
}

export async function pullShas(core: Core, pr: PullRecord): Promise<PullShas> {
  const repo = core.state.repos.get(pr.repoId)!;
  const headRepo = core.state.repos.get(pr.headRepoId) ?? repo;
  const head = (pr.state === "open" ? await branchTip(headRepo, pr.headRef) : null) ?? pr.lastHeadSha;
  pr.lastHeadSha = head;
  const base = pr.frozenBaseSha ?? (await branchTip(repo, pr.baseRef)) ?? head;
  return { head, base, mergeBase: await repo.store.mergeBase(base, head) };
}

function side(core: Core, repo: RepoRecord, ref: string, sha: string): Record<string, unknown> {
  return { label: `${repo.owner.login}:${ref}`, ref, sha, user: renderUser(core, repo.owner), repo: renderRepo(core, repo) };
}

/** `full` adds what only `GET /pulls/:n` (and webhooks) carry: merged, counts, mergeability. */
export async function renderPull(core: Core, pr: PullRecord, full: boolean): Promise<Record<string, unknown>> {
  const repo = core.state.repos.get(pr.repoId)!;
  const headRepo = core.state.repos.get(pr.headRepoId) ?? repo;
  const shas = await pullShas(core, pr);
  const api = `${core.url}/repos/${fullName(repo)}`;
  const html = `https://github.com/${fullName(repo)}/pull/${pr.number}`;
  const json: Record<string, unknown> = {
    url: `${api}/pulls/${pr.number}`,
    id: pr.id,
    node_id: `PR_${pr.id}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    commits_url: `${api}/pulls/${pr.number}/commits`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    statuses_url: `${api}/statuses/${shas.head}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: renderUser(core, pr.user),
    body: pr.body,
    labels: pr.labels.map((name) => ({ name })),
    milestone: null,
    created_at: iso(pr.createdAt),
    updated_at: iso(pr.updatedAt),
    closed_at: pr.closedAt === null ? null : iso(pr.closedAt),
    merged_at: pr.mergedAt === null ? null : iso(pr.mergedAt),
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(core, headRepo, pr.headRef, shas.head),
    base: side(core, repo, pr.baseRef, shas.base),
    author_association: pr.user.login.toLowerCase() === repo.owner.login.toLowerCase() ? "OWNER" : headRepo.id !== repo.id ? "CONTRIBUTOR" : "MEMBER",
    auto_merge: null,
    draft: pr.draft,
  };
  if (!full) return json;
  const files = shas.mergeBase ? await repo.store.diff(shas.mergeBase, shas.head) : [];
  const commits = await repo.store.revList(shas.head, [shas.base]);
  const open = pr.state === "open";
  const clean = open && (await repo.store.mergeTree(shas.base, shas.head)) !== null;
  return {
    ...json,
    merged: pr.merged,
    mergeable: open ? clean : null,
    rebaseable: open ? clean : null,
    mergeable_state: open ? (clean ? "clean" : "dirty") : "unknown",
    merged_by: pr.mergedBy ? renderUser(core, pr.mergedBy) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: commits.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changed_files: files.length,
  };
}
