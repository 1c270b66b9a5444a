import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Probot } from "probot";
import type { BlobCache } from "../store/blob-cache.js";
import { createRedis } from "../store/redis-connection.js";
import type { RedisKeys } from "../store/redis-keys.js";
import type { CheckJob } from "./check-job.js";
import { CHECK_QUEUE } from "./check-queue.js";
import type { DeployJob } from "./deploy-job.js";
import { DEPLOY_QUEUE } from "./deploy-queue.js";
import { processCheckJob, type JobResult } from "./process-check-job.js";
import { createWorkerMemo } from "./worker-memo.js";
import { processDeployJob, type DeployDecision } from "./process-deploy-job.js";
import { verdictCache } from "../store/verdict-cache.js";
import type { LedgerKey } from "../core/ledger.js";
import { recordDeployDecision } from "./record-deploy-decision.js";
import { reconcileOnce } from "./reconciler.js";
import { redeliverFailed } from "../github/redeliver-failed.js";
import { SpentInstallations, waitOutRateLimit } from "./rate-limit-wait.js";
import { InstallationSlots } from "./installation-slots.js";
import { createNoticeQueue, NOTICE_CONCURRENCY, NOTICE_QUEUE, processNotice, type SupersedeNotice } from "./supersede-notice.js";

export const MAINTENANCE_QUEUE = "plumbline-maintenance";
export const RECONCILE_EVERY_MS = 30_000;
/** Failed webhook deliveries are redelivered within about this long (one JWT request per run, usually). */
export const REDELIVER_EVERY_MS = 60_000;
/**
 * BullMQ fails a job for good once it has stalled more than `maxStalledCount` times (default 1:
 * two killed workers). Jobs that are safe to run again (each writes a run only under its lock)
 * and that nothing else would redo get this many instead.
 */
const IDEMPOTENT_MAX_STALLS = 20;

export interface StartWorkersOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly probot: Probot;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly blobCache: BlobCache | null;
  readonly checkQueue: Queue<CheckJob>;
  readonly concurrency: number;
  /** Evaluation slots one installation may hold per process (default: half of `concurrency`, at least 1; see installation-slots.ts). */
  readonly installationConcurrency?: number;
  readonly runDeadlineSeconds: number;
  readonly inProgressAfterMs?: number;
  readonly ledgerKey: LedgerKey | null;
  readonly log: Logger;
  readonly reconcileEveryMs?: number;
  readonly redeliverEveryMs?: number;
  readonly now?: () => Date;
  /** A cached verdict older than this is evaluated again by the deployment gate (default 1 h). */
  readonly maxVerdictAgeMs?: number;
}

export interface RunningWorkers {
  readonly checkWorker: Worker<CheckJob, JobResult>;
  readonly deployWorker: Worker<DeployJob, DeployDecision>;
  readonly noticeWorker: Worker<SupersedeNotice>;
  readonly maintenanceWorker: Worker;
  close(): Promise<void>;
}

/** BullMQ workers: evaluation jobs, and the reconciler on a job scheduler (idempotent upsert). */
export async function startWorkers(opts: StartWorkersOptions): Promise<RunningWorkers> {
  const now = opts.now ?? (() => new Date());
  // BullMQ never closes a connection it was handed: without this, `plumbline worker|serve`
  // closed everything on SIGTERM and then never exited (three live sockets held the loop).
  const connections: Redis[] = [];
  const connect = () => {
    const c = createRedis(opts.redisUrl, "worker");
    connections.push(c);
    return c;
  };
  const verdicts = verdictCache(opts.redis, opts.keys);
  const noticeQueue = createNoticeQueue(opts.redis, opts.prefix);
  // One memo per worker: it lives exactly as long as the worker (a restarted app in the same process starts cold).
  const deps = { memo: createWorkerMemo(), noticeQueue, probot: opts.probot, redis: opts.redis, keys: opts.keys, blobCache: opts.blobCache, log: opts.log, now, runDeadlineSeconds: opts.runDeadlineSeconds, ...(opts.inProgressAfterMs !== undefined ? { inProgressAfterMs: opts.inProgressAfterMs } : {}), verdicts, checkQueue: opts.checkQueue, ledgerKey: opts.ledgerKey };
  const spent = new SpentInstallations();
  const slots = new InstallationSlots(opts.installationConcurrency ?? Math.max(1, Math.ceil(opts.concurrency / 2)));
  const checkWorker = new Worker<CheckJob, JobResult>(
    CHECK_QUEUE,
    async (job, token) => {
      await spent.parkIfSpent(job, token, now);
      const release = await slots.enter(job, token, () => now().getTime());
      try {
        return await processCheckJob(job.data, deps, { final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
      } catch (err) {
        return await waitOutRateLimit(job, token, err, now, opts.log, spent);
      } finally {
        release();
      }
    },
    { connection: connect(), prefix: opts.prefix, concurrency: opts.concurrency },
  );
  checkWorker.on("failed", (job, err) => opts.log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, "check job failed"));
  checkWorker.on("error", (err) => opts.log.error({ err: err.message }, "check worker error"));

  const deployWorker = new Worker<DeployJob, DeployDecision>(
    DEPLOY_QUEUE,
    async (job) =>
      processDeployJob(
        job.data,
        { probot: opts.probot, blobCache: opts.blobCache, verdicts, log: opts.log, now, maxVerdictAgeMs: opts.maxVerdictAgeMs ?? 3600_000, ...(opts.ledgerKey ? { onDecision: recordDeployDecision(opts.redis, opts.keys, opts.ledgerKey, now) } : {}) },
        { final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) },
      ),
    { connection: connect(), prefix: opts.prefix, concurrency: opts.concurrency },
  );
  deployWorker.on("error", (err) => opts.log.error({ err: err.message }, "deploy worker error"));

  const noticeWorker = new Worker<SupersedeNotice>(
    NOTICE_QUEUE,
    async (job, token) => {
      await spent.parkIfSpent(job, token, now);
      return processNotice(job.data, { probot: opts.probot, redis: opts.redis, keys: opts.keys }).catch((err) => waitOutRateLimit(job, token, err, now, opts.log, spent));
    },
    {
      connection: connect(),
      prefix: opts.prefix,
      concurrency: NOTICE_CONCURRENCY,
      // Nothing reconciles notices, and a failed notice's job id keeps every later notice for
      // its SHA out for a week, so that SHA would stay pending with no run. (The crash test
      // once ended with one superseded SHA in that state; this is the one way to it I found.)
      // A notice only writes `cancelled` under the run's lock, so running it again is harmless;
      // a notice that really fails still ends after its 5 attempts.
      maxStalledCount: IDEMPOTENT_MAX_STALLS,
    },
  );
  noticeWorker.on("error", (err) => opts.log.error({ err: err.message }, "notice worker error"));

  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: opts.redis, prefix: opts.prefix });
  const schedule = async () => {
    await maintenance.upsertJobScheduler("reconcile", { every: opts.reconcileEveryMs ?? RECONCILE_EVERY_MS }, { name: "reconcile", data: {} });
    await maintenance.upsertJobScheduler("redeliver", { every: opts.redeliverEveryMs ?? REDELIVER_EVERY_MS }, { name: "redeliver", data: {} });
  };
  await schedule();
  // A process that starts may be replacing one that died mid-job: look for runs past their
  // deadline now, not at the next tick (up to 30 s away). One such job at a time (fixed id).
  await maintenance.add("reconcile", {}, { jobId: "reconcile-at-start", removeOnComplete: true, removeOnFail: true });
  // A Redis restarted without persistence has forgotten the schedulers: upsert again (idempotent).
  const reschedule = () => void schedule().catch((err) => opts.log.warn({ err: (err as Error).message }, "re-registering maintenance schedulers failed"));
  opts.redis.on("ready", reschedule);
  const maintenanceWorker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      if (job.name === "reconcile") return reconcileOnce({ probot: opts.probot, redis: opts.redis, keys: opts.keys, queue: opts.checkQueue, log: opts.log, now });
      if (job.name === "redeliver") return redeliverFailed({ probot: opts.probot, redis: opts.redis, keys: opts.keys, log: opts.log, now });
      return null;
    },
    // Short lock and stall check: a reconcile job stranded on a killed process would otherwise
    // block every later reconcile for BullMQ's 30 s lock plus a 30 s stall check (measured: runs
    // stayed in_progress 85 s with a 5 s deadline). The lock is renewed while the job runs.
    // A reconcile killed twice would otherwise fail and wait for the next tick (30 s later).
    { connection: connect(), prefix: opts.prefix, concurrency: 1, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: IDEMPOTENT_MAX_STALLS },
  );
  maintenanceWorker.on("error", (err) => opts.log.error({ err: err.message }, "maintenance worker error"));

  return {
    checkWorker,
    deployWorker,
    noticeWorker,
    maintenanceWorker,
    async close() {
      opts.redis.off("ready", reschedule);
      await Promise.all([checkWorker.close(), deployWorker.close(), noticeWorker.close(), maintenanceWorker.close()]);
      await Promise.all([maintenance.close(), noticeQueue.close()]);
      for (const c of connections) c.disconnect();
    },
  };
}
