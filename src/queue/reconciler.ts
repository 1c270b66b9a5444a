import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { installationClient } from "../github/github-client.js";
import { CHECK_RUN_NAME, publishCheckRun } from "../github/publish-check-run.js";
import { renderCheckRun } from "../github/render-check-run.js";
import type { RedisKeys } from "../store/redis-keys.js";
import { checkJobSchema, type CheckJob } from "./check-job.js";
import { enqueueCheck } from "./check-queue.js";
import { externalIdOf } from "./process-check-job.js";

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

/**
 * A job whose worker was SIGKILLed twice fails for good inside BullMQ and nobody concludes its
 * run. Every SHA past its deadline is concluded as failure with the reason (never left
 * in_progress, never success) and, a bounded number of times, evaluated again.
 */
export async function reconcileOnce(deps: ReconcileDeps, batch = 100): Promise<{ concluded: number; requeued: number }> {
  const due = await deps.redis.zrangebyscore(deps.keys.inflight(), "-inf", String(deps.now().getTime()), "LIMIT", 0, batch);
  let concluded = 0;
  let requeued = 0;
  for (const member of due) {
    let entry: { job: CheckJob; owner: string; repo: string; sha: string };
    try {
      const parsed = JSON.parse(member) as { job: unknown; owner: string; repo: string; sha: string };
      entry = { ...parsed, job: checkJobSchema.parse(parsed.job) };
    } catch {
      await deps.redis.zrem(deps.keys.inflight(), member);
      continue;
    }
    const { job, owner, repo, sha } = entry;
    try {
      const client = await installationClient(deps.probot, job.installationId);
      const attempts = await deps.redis.incr(`${deps.keys.repo(job)}:reconciled:${sha}`);
      await deps.redis.expire(`${deps.keys.repo(job)}:reconciled:${sha}`, 7 * 24 * 3600);
      const again = attempts <= MAX_REEVALUATIONS;
      const reason = `the evaluation did not conclude before its deadline (the worker crashed or the job failed for good)${again ? "; it is being evaluated again" : `; gave up after ${MAX_REEVALUATIONS} re-evaluations, use Re-run`}`;
      const rendered = renderCheckRun({ outcome: { type: "no-policy", policyFrom: sha }, headSha: sha, trigger: "reconcile", error: reason });
      await publishCheckRun(client, { owner, repo, headSha: sha, name: CHECK_RUN_NAME, externalId: externalIdOf(job.repoId, sha), status: "completed", rendered, actions: true });
      concluded++;
      await deps.redis.zrem(deps.keys.inflight(), member);
      if (again) {
        await enqueueCheck(deps.queue, { ...job, sha, deliveryId: `reconcile-${sha}-${attempts}`, enqueuedAt: deps.now().getTime() });
        requeued++;
      }
    } catch (err) {
      // GitHub unreachable: leave the entry, the next pass tries again.
      deps.log.warn({ repoId: job.repoId, sha, err: (err as Error).message }, "reconcile failed; will retry");
    }
  }
  return { concluded, requeued };
}
