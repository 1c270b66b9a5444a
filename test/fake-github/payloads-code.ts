import { iso } from "./clock.js";
import type { Core } from "./core.js";
import type { MergeGroup, PullChanges } from "./control-pulls.js";
import { findPull } from "./control-pulls.js";
import { ZERO_SHA, type CommitInfo } from "./git-store.js";
import { envelope, senderOf, type SenderInput } from "./payload-common.js";
import { renderPushRepo } from "./render-account.js";
import { ensureSuite, renderCheckRun, renderCheckSuite } from "./render-check.js";
import { renderPull } from "./render-pull.js";
import { listBranches } from "./repo-refs.js";
import { fullName, type RepoRecord } from "./state.js";

export interface PushEventInput {
  /** Branch name or full ref (`refs/heads/x`). */
  ref: string;
  before: string;
  after: string;
  sender?: SenderInput;
  /** Default: computed from the commit graph. */
  forced?: boolean;
}

async function pushCommit(core: Core, repo: RepoRecord, c: CommitInfo): Promise<Record<string, unknown>> {
  const files = await repo.store.diff(c.parents[0] ?? null, c.sha);
  const added: string[] = [], removed: string[] = [], modified: string[] = [];
  for (const f of files) {
    // Push payloads do not detect renames: GitHub lists the old path removed and the new one added.
    if (f.status === "renamed") { removed.push(f.previous_filename!); added.push(f.filename); }
    else if (f.status === "added" || f.status === "copied") added.push(f.filename);
    else if (f.status === "removed") removed.push(f.filename);
    else modified.push(f.filename);
  }
  const who = (s: CommitInfo["author"]) => {
    const login = core.state.emailLogins.get(s.email.toLowerCase());
    return { name: s.name, email: s.email, ...(login ? { username: login } : {}) };
  };
  return {
    id: c.sha, tree_id: c.tree, distinct: true, message: c.message.replace(/\n$/, ""),
    timestamp: iso(c.committer.seconds * 1000).replace("Z", "+00:00"),
    url: `https://github.com/${fullName(repo)}/commit/${c.sha}`,
    author: who(c.author), committer: who(c.committer), added, removed, modified,
  };
}

export async function pushPayload(core: Core, repo: RepoRecord, input: PushEventInput): Promise<Record<string, unknown>> {
  const ref = input.ref.startsWith("refs/") ? input.ref : `refs/heads/${input.ref}`;
  const created = input.before === ZERO_SHA;
  const deleted = input.after === ZERO_SHA;
  let shas: string[] = [];
  if (!deleted) {
    // A new branch lists the commits no other branch had; an update lists before..after.
    const others = created ? (await listBranches(repo)).filter((b) => `refs/heads/${b.name}` !== ref).map((b) => b.sha) : [input.before];
    shas = await repo.store.revList(input.after, others, 2048);
  }
  const commits = await Promise.all(shas.map(async (s) => pushCommit(core, repo, (await repo.store.commit(s))!)));
  const headInfo = deleted ? null : await repo.store.commit(input.after);
  const forced = input.forced ?? (!created && !deleted && !(await repo.store.isAncestor(input.before, input.after)));
  const sender = senderOf(core, input.sender, repo.owner);
  return {
    ref, before: input.before, after: input.after, created, deleted, forced, base_ref: null,
    compare: `https://github.com/${fullName(repo)}/compare/${input.before.slice(0, 12)}...${input.after.slice(0, 12)}`,
    commits,
    head_commit: commits.at(-1) ?? (headInfo ? await pushCommit(core, repo, headInfo) : null),
    pusher: { name: sender.login, email: `${sender.id}+${sender.login}@users.noreply.github.com` },
    ...envelope(core, repo, sender, renderPushRepo(core, repo)),
  };
}

export async function pullRequestPayload(
  core: Core, repo: RepoRecord, number: number, action: string,
  opts: { sender?: SenderInput; changes?: PullChanges; before?: string; after?: string } = {},
): Promise<Record<string, unknown>> {
  const pr = findPull(core, repo, number);
  return {
    action, number,
    ...(opts.changes ? { changes: opts.changes } : {}),
    ...(opts.before ? { before: opts.before } : {}),
    ...(opts.after ? { after: opts.after } : {}),
    pull_request: await renderPull(core, pr, true),
    ...envelope(core, repo, senderOf(core, opts.sender, pr.user)),
  };
}

export async function checkSuitePayload(
  core: Core, repo: RepoRecord, action: string, opts: { headSha: string; sender?: SenderInput },
): Promise<Record<string, unknown>> {
  const suite = await ensureSuite(core, repo, opts.headSha);
  return { action, check_suite: await renderCheckSuite(core, repo, suite), ...envelope(core, repo, senderOf(core, opts.sender, repo.owner)) };
}

export async function checkRunPayload(
  core: Core, repo: RepoRecord, checkRunId: number, action: string, opts: { identifier?: string; sender?: SenderInput } = {},
): Promise<Record<string, unknown>> {
  const run = core.state.checkRuns.get(checkRunId);
  if (!run || run.repoId !== repo.id) throw new Error(`fake-github: no check run ${checkRunId} in ${fullName(repo)}`);
  const suite = core.state.checkSuites.get(run.suiteId)!;
  return {
    action,
    check_run: { ...(await renderCheckRun(core, repo, run)), check_suite: await renderCheckSuite(core, repo, suite) },
    ...(action === "requested_action" ? { requested_action: { identifier: opts.identifier ?? "" } } : {}),
    ...envelope(core, repo, senderOf(core, opts.sender, repo.owner)),
  };
}

export async function mergeGroupPayload(
  core: Core, repo: RepoRecord, group: MergeGroup, action: string, opts: { sender?: SenderInput; reason?: string } = {},
): Promise<Record<string, unknown>> {
  const c = (await repo.store.commit(group.headSha))!;
  return {
    action,
    ...(opts.reason ? { reason: opts.reason } : {}),
    merge_group: {
      head_sha: group.headSha, head_ref: group.headRef, base_sha: group.baseSha, base_ref: group.baseRef,
      head_commit: {
        id: c.sha, tree_id: c.tree, message: c.message.replace(/\n$/, ""), timestamp: iso(c.committer.seconds * 1000),
        author: { name: c.author.name, email: c.author.email }, committer: { name: c.committer.name, email: c.committer.email },
      },
    },
    ...envelope(core, repo, senderOf(core, opts.sender, { login: "github-merge-queue[bot]", id: 118344674, type: "Bot" })),
  };
}
