import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { CheckOutcome } from "../check/check-revision.js";
import { auditIntervalMs, decayPolicyFor, detectDecay, recordOf, waiverReportsOf, type ViolationLoopSignal } from "../core/drift.js";
import { appendRecord, readHistory } from "../store/history-store.js";
import type { RedisKeys, RepoScope } from "../store/redis-keys.js";
import { rememberRepoName } from "../store/repo-names.js";
import { ensureAuditSchedule } from "./audit-scheduler.js";
import type { CheckJob } from "./check-job.js";

export interface RecordDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly checkQueue: Queue<CheckJob> | null;
}

export interface RecordTarget {
  readonly scope: RepoScope;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly job: CheckJob;
  readonly defaultBranch: string;
  readonly paths: readonly string[];
  readonly now: Date;
}

/**
 * Remembers a verdict in the repository's history (decay is detected from it), keeps the
 * repository's audit schedule in line with its policy, and tells whether this agent push is part
 * of a violation loop, so its own check run says so.
 */
export async function recordEvaluation(deps: RecordDeps, t: RecordTarget, outcome: Extract<CheckOutcome, { type: "verdict" }>): Promise<{ loop: string | null }> {
  const { verdict, policy } = outcome;
  const branch = t.job.branch ?? t.defaultBranch;
  const onDefault = branch === t.defaultBranch;
  const record = recordOf(verdict, waiverReportsOf(verdict), {
    at: t.now,
    sha: t.sha,
    ref: t.job.prNumber ? `refs/pull/${t.job.prNumber}/head` : `refs/heads/${branch}`,
    branch,
    trigger: t.job.trigger,
    defaultBranch: onDefault,
    auditInterval: policy.settings.auditInterval,
    paths: t.paths,
  });
  await appendRecord(deps.redis, deps.keys, t.scope, record, { limit: policy.settings.historyLimit });
  await rememberRepoName(deps.redis, deps.keys, t.scope, `${t.owner}/${t.repo}`);
  if (onDefault && deps.checkQueue) {
    await ensureAuditSchedule(deps.checkQueue, { ...t.scope, owner: t.owner, repo: t.repo }, auditIntervalMs(policy.settings.auditInterval));
  }
  if (verdict.actor?.class !== "agent" || onDefault) return { loop: null };
  const history = await readHistory(deps.redis, deps.keys, t.scope, { limit: policy.settings.historyLimit });
  const loops = detectDecay(history, decayPolicyFor(policy), t.now).filter((s): s is ViolationLoopSignal => s.type === "violation-loop" && s.branch === branch);
  if (loops.length === 0) return { loop: null };
  return { loop: loops.map(describeLoop).join("\n") };
}

function describeLoop(s: ViolationLoopSignal): string {
  const chain = s.evidence.data.chain.map((l) => `${l.sha.slice(0, 7)} (${l.actor}: +${l.introduced.length} −${l.resolved.length}, ${l.open.length} open)`).join(" → ");
  return `${s.evidence.message} Chain: ${chain}.`;
}
