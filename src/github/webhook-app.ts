import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CheckJob } from "../queue/check-job.js";
import { enqueueCheck } from "../queue/check-queue.js";
import { countingMulti } from "../queue/fair-priority.js";
import { deployJobFromEvent, type DeployJob } from "../queue/deploy-job.js";
import { enqueueDeploy } from "../queue/deploy-queue.js";
import type { DeliveryDedupe } from "../store/delivery-dedupe.js";
import type { RedisKeys } from "../store/redis-keys.js";
import { jobsFromEvent } from "./jobs-from-event.js";
import type { Delivery } from "./verify-delivery.js";

export const HANDLED_EVENTS = ["push", "pull_request", "check_suite", "check_run", "merge_group", "installation", "installation_repositories", "deployment_protection_rule"] as const;

const PENDING_TTL_SECONDS = 7 * 24 * 3600;

export interface WebhookDeps {
  readonly queue: Queue<CheckJob>;
  readonly deployQueue: Queue<DeployJob>;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly dedupe: DeliveryDedupe;
  /** Called for lifecycle events the audit/ledger layer cares about (uninstall). */
  readonly onUninstall?: (installationId: number, repoIds: readonly number[]) => Promise<void>;
  /** A pull request was merged: the decay layer records it to spot merges past a failing check. */
  readonly onMerge?: (payload: Record<string, any>) => Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The signature has been verified when this runs (verify-delivery.ts). It only classifies and
 * enqueues (GitHub waits 10 s and never retries); any Redis failure throws, so GitHub records
 * a 5xx and the delivery can be redelivered. Events it does not handle are acknowledged.
 */
export function webhookHandler(deps: WebhookDeps, log: Logger): (delivery: Delivery) => Promise<void> {
  const handled = new Set<string>(HANDLED_EVENTS);
  return async (delivery) => {
    if (!handled.has(delivery.name)) return;
    const event = delivery.name;
    const payload = delivery.payload as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const jobs = jobsFromEvent(event, payload, delivery.id, Date.now());
    const deploy = event === "deployment_protection_rule" ? deployJobFromEvent(payload, delivery.id, new Date()) : null;
    const uninstall = uninstallOf(event, payload);
    const merged = event === "pull_request" && payload.action === "closed" && payload.pull_request?.merged === true;
    if (jobs.length === 0 && !uninstall && !deploy && !merged) return;
    if (!(await deps.dedupe.claim(delivery.id))) {
      log.info({ deliveryId: delivery.id, event }, "duplicate delivery ignored");
      return;
    }
    try {
      if (uninstall && deps.onUninstall) await deps.onUninstall(uninstall.installationId, uninstall.repoIds);
      if (deploy) await enqueueDeploy(deps.deployQueue, deploy);
      if (merged && deps.onMerge) await deps.onMerge(payload);
      for (const job of jobs) {
        // One round trip before the add: the branch's pending SHA and the job's fair rank.
        const { multi, priorityOf } = countingMulti(deps.redis, deps.keys, job.installationId, Date.now());
        if (job.branch && job.sha) {
          const scope = { installationId: job.installationId, repoId: job.repoId };
          const key = deps.keys.pendingShas(scope, job.branch);
          const jobsKey = deps.keys.pendingJobs(scope, job.branch);
          multi.zadd(key, job.enqueuedAt, job.sha).expire(key, PENDING_TTL_SECONDS).hsetnx(jobsKey, job.sha, JSON.stringify(job)).expire(jobsKey, PENDING_TTL_SECONDS);
        }
        await enqueueCheck(deps.queue, job, deps, priorityOf(await multi.exec()));
      }
      // Confirmed only once every job is queued: a claim left unconfirmed (process killed,
      // Redis lost the tail of its AOF) is taken over by a redelivery instead of blocking it.
      await deps.dedupe.confirm(delivery.id);
    } catch (err) {
      await deps.dedupe.release(delivery.id).catch(() => undefined);
      throw err;
    }
    log.info({ deliveryId: delivery.id, event, jobs: jobs.length }, "enqueued");
  };
}

function uninstallOf(event: string, p: Record<string, any>): { installationId: number; repoIds: number[] } | null { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (event === "installation" && p.action === "deleted") return { installationId: p.installation.id, repoIds: (p.repositories ?? []).map((r: { id: number }) => r.id) };
  if (event === "installation_repositories" && p.action === "removed") return { installationId: p.installation.id, repoIds: (p.repositories_removed ?? []).map((r: { id: number }) => r.id) };
  return null;
}
