import type { Logger } from "pino";
import pino from "pino";
import type { AppConfig } from "../github/app-config.js";
import { createProbotApp } from "../github/github-client.js";
import { startWebhookServer, type WebhookServer } from "../github/http-server.js";
import { webhookHandler } from "../github/webhook-app.js";
import { createCheckQueue, removeQueuedJobs } from "../queue/check-queue.js";
import { createDeployQueue } from "../queue/deploy-queue.js";
import { startWorkers, type RunningWorkers } from "../queue/start-workers.js";
import { redisBlobCache } from "../store/blob-cache.js";
import { deliveryDedupe } from "../store/delivery-dedupe.js";
import { assertRedisSafe, createRedis, waitReady } from "../store/redis-connection.js";
import { redisKeys } from "../store/redis-keys.js";
import { deleteRepoData, recordMerge } from "../store/history-store.js";
import { removeAuditSchedule } from "../queue/audit-scheduler.js";
import { classifyActor } from "../core/classify-actor.js";

export interface StartOptions {
  readonly web: boolean;
  readonly workers: boolean;
  /** Redis key prefix (BullMQ and Plumbline keys); tests use a fresh one each. */
  readonly prefix?: string;
  readonly log?: Logger;
  readonly reconcileEveryMs?: number;
  readonly redeliverEveryMs?: number;
}

export interface RunningPlumbline {
  readonly web: WebhookServer | null;
  readonly workers: RunningWorkers | null;
  readonly warnings: readonly string[];
  close(): Promise<void>;
}

/** The composition root: wires config, Redis, Probot, the webhook server and the workers. */
export async function startPlumbline(config: AppConfig, opts: StartOptions): Promise<RunningPlumbline> {
  const log = opts.log ?? pino({ level: config.logLevel, redact: { paths: ["*.authorization", "*.token", "*.privateKey", "*.secret"], censor: "[redacted]" } });
  const prefix = opts.prefix ?? config.redisPrefix;
  const keys = redisKeys(prefix);
  const producer = createRedis(config.redisUrl, "producer");
  producer.on("error", (err) => log.warn({ err: err.message }, "redis (producer) error"));
  // Webhook handling's own commands (dedupe, pending SHAs, fair ranks) go over a connection of
  // their own: BullMQ defines its ~50 Lua scripts on the queues' connection, and ioredis copies
  // every defined script onto each MULTI it builds there (a third of a millisecond per delivery
  // in the soak's profile of the webhook thread).
  const ingress = createRedis(config.redisUrl, "producer");
  ingress.on("error", (err) => log.warn({ err: err.message }, "redis (ingress) error"));
  const store = createRedis(config.redisUrl, "worker");
  store.on("error", (err) => log.warn({ err: err.message }, "redis (store) error"));
  let safety;
  try {
    await waitReady(store);
    safety = await assertRedisSafe(store);
  } catch (err) {
    // Leave nothing open: a refused start must let the process exit.
    producer.disconnect();
    ingress.disconnect();
    store.disconnect();
    throw err;
  }
  for (const w of [...safety.warnings, ...config.warnings]) log.warn(w);

  const probot = createProbotApp({ appId: config.appId, privateKey: config.privateKey, webhookSecret: config.webhookSecret, baseUrl: config.githubApiUrl, requestTimeoutMs: config.githubRequestTimeoutMs }, log);
  const checkQueue = createCheckQueue(producer, prefix);
  const deployQueue = createDeployQueue(producer, prefix);
  let web: WebhookServer | null = null;
  let workers: RunningWorkers | null = null;
  if (opts.workers) {
    const workerQueue = createCheckQueue(store, prefix);
    workers = await startWorkers({
      redisUrl: config.redisUrl,
      prefix,
      probot,
      redis: store,
      keys,
      blobCache: redisBlobCache(store, keys),
      checkQueue: workerQueue,
      concurrency: config.workerConcurrency,
      installationConcurrency: config.installationConcurrency,
      runDeadlineSeconds: config.runDeadlineSeconds,
      inProgressAfterMs: config.inProgressAfterMs,
      ledgerKey: config.ledgerKey,
      log,
      ...(opts.reconcileEveryMs ? { reconcileEveryMs: opts.reconcileEveryMs } : {}),
      ...(opts.redeliverEveryMs ? { redeliverEveryMs: opts.redeliverEveryMs } : {}),
    });
  }
  if (opts.web) {
    await Promise.all([waitReady(producer), waitReady(ingress)]).catch(() => undefined);
    web = await startWebhookServer({
      secret: config.webhookSecret,
      log,
      handle: webhookHandler({
        queue: checkQueue,
        deployQueue,
        redis: ingress,
        keys,
        dedupe: deliveryDedupe(ingress, keys),
        onUninstall: async (installationId, repoIds) => {
          for (const repoId of repoIds) {
            await deleteRepoData(ingress, keys, { installationId, repoId });
            await removeAuditSchedule(checkQueue, { installationId, repoId });
          }
          await removeQueuedJobs(checkQueue, installationId, repoIds);
        },
        onMerge: async (p) => {
          const pr = p.pull_request;
          const fork = pr.head?.repo?.id !== p.repository.id;
          const actor = classifyActor({ sender: p.sender ?? null, prAuthor: pr.user ?? null, branch: pr.head?.ref ?? null }, []);
          await recordMerge(ingress, keys, { installationId: p.installation.id, repoId: p.repository.id }, {
            at: new Date(),
            prNumber: pr.number,
            sha: pr.head.sha,
            branch: fork ? `fork-${pr.head?.repo?.id ?? "unknown"}-${pr.head?.ref}` : pr.head?.ref ?? null,
            checkConclusion: null,
            actor: { class: actor.class, agent: actor.agent },
          });
        },
      }, log),
      port: config.port,
      host: config.host,
      webhookPath: config.webhookPath,
      health: async () => {
        const redisOk = await producer.ping().then(() => true, () => false);
        return { ok: redisOk, redis: redisOk ? "up" : "down" };
      },
    });
    log.info({ url: web.webhookUrl }, "listening for webhooks");
  }
  return {
    web,
    workers,
    warnings: [...safety.warnings, ...config.warnings],
    async close() {
      await web?.close();
      await workers?.close();
      await checkQueue.close();
      await deployQueue.close();
      producer.disconnect();
      ingress.disconnect();
      store.disconnect();
    },
  };
}
