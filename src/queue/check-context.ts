import type { CommitSignals } from "../core/actor.js";
import type { GitHubClient } from "../github/github-client.js";
import type { CheckJob } from "./check-job.js";

/** Which revisions judge a job: the policy, the base to compare with, and how strictly. */
export interface CheckContext {
  readonly headSha: string;
  readonly policySha: string;
  readonly baseSha: string | null;
  readonly blockPersisting: boolean | undefined;
  readonly prNumber: number | null;
  readonly extraCommits: readonly CommitSignals[];
  readonly prAuthor: { login: string; id?: number; type?: string } | null;
  readonly description: string;
}

const ZERO = /^0{40}$/;

/**
 * Resolves where the invariants come from (never the head itself for a change: a change
 * cannot weaken the policy that judges it) and what the head is compared with.
 */
export async function resolveCheckContext(client: GitHubClient, job: CheckJob, owner: string, repo: string, headSha: string, defaultBranch: string): Promise<CheckContext> {
  if (job.trigger === "merge_group" && job.baseSha) {
    return { headSha, policySha: job.baseSha, baseSha: job.baseSha, blockPersisting: undefined, prNumber: null, extraCommits: [], prAuthor: null, description: `merge group on ${job.baseSha.slice(0, 7)}` };
  }
  const pr = await findPullRequest(client, job, owner, repo, defaultBranch);
  if (pr) {
    const compare = await client.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo, basehead: `${pr.base.sha}...${headSha}`, per_page: 1 });
    const mergeBase = compare.data.merge_base_commit.sha;
    const commits = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", { owner, repo, pull_number: pr.number, per_page: 100 });
    const extraCommits = commits.data.map((c) => ({ sha: c.sha, authorLogin: c.author?.login ?? null, committerLogin: c.committer?.login ?? null, authorEmail: c.commit.author?.email ?? null, message: c.commit.message.slice(0, 4096) }));
    const prAuthor = pr.user ? { login: pr.user.login, id: Number(pr.user.id), type: pr.user.type } : null;
    return { headSha, policySha: pr.base.sha, baseSha: mergeBase, blockPersisting: undefined, prNumber: pr.number, extraCommits, prAuthor, description: `pull request #${pr.number} into ${pr.base.ref}` };
  }
  if (job.branch === defaultBranch) {
    const before = job.before && !ZERO.test(job.before) ? job.before : null;
    return { headSha, policySha: before ?? headSha, baseSha: before, blockPersisting: true, prNumber: null, extraCommits: [], prAuthor: null, description: before ? `push to ${defaultBranch}` : `${defaultBranch} at ${headSha.slice(0, 7)}` };
  }
  if (job.branch) {
    const tip = await client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `heads/${defaultBranch}` });
    const defaultTip = tip.data.object.sha;
    let base = job.before && !ZERO.test(job.before) ? job.before : null;
    if (!base) {
      const compare = await client.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo, basehead: `${defaultTip}...${headSha}`, per_page: 1 });
      base = compare.data.merge_base_commit.sha;
    }
    return { headSha, policySha: defaultTip, baseSha: base, blockPersisting: undefined, prNumber: null, extraCommits: [], prAuthor: null, description: `push to ${job.branch}` };
  }
  return { headSha, policySha: headSha, baseSha: null, blockPersisting: true, prNumber: null, extraCommits: [], prAuthor: null, description: `audit of ${defaultBranch} at ${headSha.slice(0, 7)}` };
}

async function findPullRequest(client: GitHubClient, job: CheckJob, owner: string, repo: string, defaultBranch: string) {
  if (job.prNumber) return (await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: job.prNumber })).data;
  if (!job.branch || job.branch === defaultBranch || job.branch.startsWith("fork-")) return null;
  const open = await client.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "open", head: `${owner}:${job.branch}`, per_page: 1 });
  return open.data[0] ?? null;
}
