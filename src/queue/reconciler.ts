import { URGENT_PRIORITY } from "./fair-priority.js";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { installationClient, type GitHubClient } from "../github/github-client.js";
import { CHECK_RUN_NAME } from "../github/publish-check-run.js";
import { publishRunExclusively } from "./run-write-lock.js";
import { renderCheckRun } from "../github/render-check-run.js";
import type { RedisKeys } from "../store/redis-keys.js";
import { LockTimeoutError, withRedisLock } from "../store/redis-lock.js";
import { checkJobSchema, type CheckJob } from "./check-job.js";
import { externalIdOf } from "./run-identity.js";
import { isReconcileNotice, RECONCILE_REASON } from "./stand-in-runs.js";

/** How many times one SHA is re-evaluated after missing its deadline before it stays failed. */
export const MAX_REEVALUATIONS = 2;

export interface ReconcileDeps {
  readonly probot: Probot;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly queue: Queue<CheckJob>;
  readonly log: Logger;
  readonly now: () => Date;
}

/** Due entries reconciled at once: each costs a few GitHub calls, and a pass has to finish
 * while its worker lives. (The crash test once saw a run in_progress 88 s with a 5 s deadline;
 * a sequential pass at 300 ms per call, killed midway by the test's SIGKILLs, is the likely cause.) */
const RECONCILE_LANES = 8;

/**
 * A job whose worker was SIGKILLed twice fails for good inside BullMQ and nobody concludes its
 * run. Every SHA past its deadline is concluded as failure with the reason (never left
 * in_progress, never success) and, a bounded number of times, evaluated again.
 */
export async function reconcileOnce(deps: ReconcileDeps, batch = 100): Promise<{ concluded: number; requeued: number }> {
  // One pass at a time across processes: two passes over one entry would both count an attempt
  // (fewer re-evaluations than MAX_REEVALUATIONS) and both re-enqueue it. A pass finding another
  // one running leaves the work to it; a holder that died frees the lock after its TTL.
  try {
    return await withRedisLock(deps.redis, deps.keys.reconcileLock(), { ttlMs: RECONCILE_LOCK_TTL_MS, waitMs: 0, what: "the reconcile pass" }, () => reconcileDue(deps, batch));
  } catch (err) {
    if (err instanceof LockTimeoutError) return { concluded: 0, requeued: 0 };
    throw err;
  }
}

/** As short as the maintenance job's own lock: a pass killed midway blocks the next for no longer. */
const RECONCILE_LOCK_TTL_MS = 10_000;

async function reconcileDue(deps: ReconcileDeps, batch: number): Promise<{ concluded: number; requeued: number }> {
  const due = await deps.redis.zrangebyscore(deps.keys.inflight(), "-inf", String(deps.now().getTime()), "LIMIT", 0, batch);
  let concluded = 0;
  let requeued = 0;
  let next = 0;
  const lane = async () => {
    while (next < due.length) {
      const outcome = await reconcileEntry(deps, due[next++]!);
      if (outcome !== "skipped") concluded++;
      if (outcome === "requeued") requeued++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(RECONCILE_LANES, due.length) }, lane));
  return { concluded, requeued };
}

async function reconcileEntry(deps: ReconcileDeps, member: string): Promise<"skipped" | "concluded" | "requeued"> {
  let entry: { job: CheckJob; owner: string; repo: string; sha: string };
  try {
    const parsed = JSON.parse(member) as { job: unknown; owner: string; repo: string; sha: string };
    entry = { ...parsed, job: checkJobSchema.parse(parsed.job) };
  } catch {
    await deps.redis.zrem(deps.keys.inflight(), member);
    return "skipped";
  }
  const { job, owner, repo, sha } = entry;
  try {
    const client = await installationClient(deps.probot, job.installationId);
    // The job may have concluded since it was listed (it removes its entry only after
    // publishing): a conclusion over its real verdict would be a stale verdict.
    if (await concludedByJob(client, owner, repo, sha, externalIdOf(job.repoId, sha))) {
      await deps.redis.zrem(deps.keys.inflight(), member);
      return "skipped";
    }
    const attempts = await deps.redis.incr(`${deps.keys.repo(job)}:reconciled:${sha}`);
    await deps.redis.expire(`${deps.keys.repo(job)}:reconciled:${sha}`, 7 * 24 * 3600);
    const again = attempts <= MAX_REEVALUATIONS;
    const reason = `${RECONCILE_REASON} (the worker crashed or the job failed for good)${again ? "; it is being evaluated again" : `; gave up after ${MAX_REEVALUATIONS} re-evaluations, use Re-run`}`;
    const rendered = renderCheckRun({ outcome: { type: "no-policy", policyFrom: sha }, headSha: sha, trigger: "reconcile", error: reason });
    // Under the run's lock a verdict that landed since the check above is seen and kept.
    const keepVerdict = (run: { readonly summary: string | null }) => isReconcileNotice(run.summary);
    await publishRunExclusively(deps, job, client, { owner, repo, headSha: sha, name: CHECK_RUN_NAME, externalId: externalIdOf(job.repoId, sha), status: "completed", rendered, actions: true, replaceCompleted: keepVerdict });
    await deps.redis.zrem(deps.keys.inflight(), member);
    if (!again) return "concluded";
    await enqueueReevaluation(deps.queue, { ...job, sha, deliveryId: `reconcile-${sha}-${attempts}`, enqueuedAt: deps.now().getTime() }, attempts);
    return "requeued";
  } catch (err) {
    // GitHub unreachable: leave the entry, the next pass tries again.
    deps.log.warn({ repoId: job.repoId, sha, err: (err as Error).message }, "reconcile failed; will retry");
    return "skipped";
  }
}

/**
 * A re-evaluation keeps the job's branch (the policy and base depend on it) but must not enter
 * the branch's newest-wins slot: BullMQ keeps one "next" job per deduplication id while one is
 * active, so re-enqueueing an old SHA there overwrote the newest push's queued job, which was
 * then never evaluated (found by test/reliability/worker-crash.test.ts). Deduplicated per SHA
 * instead; if a newer push exists the job finds it and concludes as superseded.
 */
async function enqueueReevaluation(queue: Queue<CheckJob>, job: CheckJob, attempt: number): Promise<void> {
  // One id per attempt: the run now says "being evaluated again", so this job must not be
  // dropped as a duplicate of a re-evaluation that is itself stuck.
  await queue.add(job.trigger, job, { priority: URGENT_PRIORITY, deduplication: { id: `r${job.repoId}-reeval-${job.sha ?? "tip"}-${attempt}` } });
}

async function concludedByJob(client: GitHubClient, owner: string, repo: string, sha: string, externalId: string): Promise<boolean> {
  const runs = (await client.rest.checks.listForRef({ owner, repo, ref: sha, check_name: CHECK_RUN_NAME, filter: "all", per_page: 100 })).data.check_runs;
  const mine = runs.filter((r) => r.external_id === externalId).sort((a, b) => b.id - a.id)[0];
  return mine?.status === "completed" && !isReconcileNotice(mine.output.summary ?? null);
}
