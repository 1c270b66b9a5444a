import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { CompiledPolicy } from "../core/compile.js";
import { decayPolicyFor, detectDecay } from "../core/drift.js";
import { ensureDashboardIssue } from "../github/dashboard-issue.js";
import type { GitHubClient } from "../github/github-client.js";
import { contentKeyOf, publishCheckRun } from "../github/publish-check-run.js";
import { AUDIT_CHECK_RUN_NAME, renderAudit, renderDashboard } from "../github/render-audit.js";
import { readHistory } from "../store/history-store.js";
import type { RedisKeys, RepoScope } from "../store/redis-keys.js";
import { auditJobsFor, listAgentBranches } from "./agent-branches.js";
import type { CheckJob } from "./check-job.js";
import { enqueueCheck } from "./check-queue.js";

export interface AuditDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly checkQueue: Queue<CheckJob> | null;
}

/**
 * The scheduled audit's second half, after the default branch tip was evaluated: re-evaluate
 * open agent branches, detect decay over the history, post `Plumbline audit` on the tip and,
 * when the policy opts in, keep the dashboard issue up to date.
 */
export async function runAudit(deps: AuditDeps, client: GitHubClient, t: { scope: RepoScope; owner: string; repo: string; sha: string; policy: CompiledPolicy | null; now: Date }): Promise<{ signals: number; branches: number }> {
  let branches = 0;
  if (deps.checkQueue) {
    const agentBranches = await listAgentBranches(client, t.owner, t.repo);
    for (const job of auditJobsFor({ ...t.scope, owner: t.owner, repo: t.repo }, agentBranches, t.now.getTime())) await enqueueCheck(deps.checkQueue, job, deps);
    branches = agentBranches.length;
  }
  const limit = t.policy?.settings.historyLimit;
  const history = await readHistory(deps.redis, deps.keys, t.scope, limit ? { limit } : {});
  const signals = t.policy ? detectDecay(history, decayPolicyFor(t.policy), t.now) : [];
  const rendered = renderAudit({ signals, history });
  await publishCheckRun(client, { owner: t.owner, repo: t.repo, headSha: t.sha, name: AUDIT_CHECK_RUN_NAME, externalId: `plumbline-audit:${t.scope.repoId}:${t.sha}`, status: "completed", rendered, contentKey: contentKeyOf(rendered), skipIfUnchanged: true });
  if (t.policy?.settings.dashboard) {
    await ensureDashboardIssue(client, { redis: deps.redis, keys: deps.keys, scope: t.scope, owner: t.owner, repo: t.repo }, renderDashboard({ signals, history, now: t.now }));
  }
  return { signals: signals.length, branches };
}
