import { BUILTIN_AGENTS } from "../core/agent-fingerprints.js";
import { classifyActor } from "../core/classify-actor.js";
import type { AgentDefinition } from "../core/schema.js";
import type { GitHubClient } from "../github/github-client.js";
import type { AuditTarget } from "./audit-scheduler.js";
import type { CheckJob } from "./check-job.js";

/** An open agent branch the scheduled audit re-evaluates next to the default branch. */
export interface AgentBranch {
  /** The newest-wins key jobs use: the ref, or `fork-<repoId>-<ref>` for a fork's PR head. */
  readonly branch: string;
  /** The head ref's own name (what branch-prefix fingerprints look at). */
  readonly headRef: string;
  readonly sha: string;
  readonly prNumber: number | null;
  /** The agent the branch is attributed to; null for a PR kept because it is open, not by whom. */
  readonly agent: string | null;
  readonly prAuthor: { login: string; id?: number; type?: string } | null;
}

export interface ListAgentBranchesOptions {
  /** Configured agents (`agents:` of the policy): their logins and branch prefixes count too. */
  readonly agents?: readonly AgentDefinition[];
  /** At most this many branches (PRs first, then prefix matches), bounding an audit's cost. Default 50. */
  readonly limit?: number;
}

/**
 * Open agent branches: heads of open PRs authored by an agent or named with an agent prefix,
 * then branches matching a known agent prefix (`GET /git/matching-refs/heads/<prefix>` for
 * every built-in and configured prefix). PRs come first: they are what will be merged.
 */
export async function listAgentBranches(client: GitHubClient, owner: string, repo: string, opts: ListAgentBranchesOptions = {}): Promise<AgentBranch[]> {
  const agents = opts.agents ?? [];
  const limit = opts.limit ?? 50;
  const found = new Map<string, AgentBranch>();

  const pulls = await client.paginate("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "open", per_page: 100 });
  for (const pr of pulls) {
    const headRef = pr.head.ref;
    const prAuthor = pr.user ? { login: pr.user.login, id: Number(pr.user.id), type: pr.user.type } : null;
    const actor = classifyActor({ prAuthor, branch: headRef }, agents);
    if (actor.class !== "agent") continue;
    const fork = pr.head.repo !== null && pr.head.repo.id !== pr.base.repo.id;
    const branch = fork ? `fork-${pr.head.repo?.id ?? "unknown"}-${headRef}` : headRef;
    found.set(branch, { branch, headRef, sha: pr.head.sha, prNumber: pr.number, agent: actor.agent, prAuthor });
  }

  const prefixes = new Map<string, string>();
  for (const a of BUILTIN_AGENTS) for (const p of a.branchPrefixes) prefixes.set(p, a.id);
  for (const a of agents) for (const p of a.branches) if (!prefixes.has(p)) prefixes.set(p, a.id);
  for (const [prefix, agent] of prefixes) {
    // Not a paginated endpoint: GitHub returns every matching ref in one answer.
    const refs = (await client.request("GET /repos/{owner}/{repo}/git/matching-refs/{ref}", { owner, repo, ref: `heads/${prefix}` })).data;
    for (const r of refs) {
      const headRef = r.ref.replace(/^refs\/heads\//, "");
      // Only refs that really carry the prefix, whatever the server answered, and a PR head already listed wins.
      if (!headRef.startsWith(prefix) || found.has(headRef)) continue;
      found.set(headRef, { branch: headRef, headRef, sha: r.object.sha, prNumber: null, agent, prAuthor: null });
    }
  }
  return [...found.values()].slice(0, Math.max(0, limit));
}

/**
 * Evaluation jobs for the listed branches, queued like pushes (newest-wins per branch, so an
 * audit never runs beside a push of the same branch). Actor signals are the PR author and the
 * branch name; `now` is the enqueue time the branch's pending set is ordered by.
 */
export function auditJobsFor(target: AuditTarget, branches: readonly AgentBranch[], now: number): CheckJob[] {
  return branches.map((b) => ({
    installationId: target.installationId,
    repoId: target.repoId,
    owner: target.owner,
    repo: target.repo,
    sha: b.sha,
    branch: b.branch,
    trigger: "schedule",
    deliveryId: `audit-r${target.repoId}-${now}`,
    before: null,
    prNumber: b.prNumber,
    baseSha: null,
    defaultBranch: null,
    actor: { prAuthor: b.prAuthor, branch: b.headRef },
    enqueuedAt: now,
  }));
}
