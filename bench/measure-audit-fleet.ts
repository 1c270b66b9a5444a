import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { auditIntervalMs, DEFAULT_AUDIT_INTERVAL } from "../src/core/decay-interval.js";
import { auditSchedulerId, ensureAuditSchedule } from "../src/queue/audit-scheduler.js";
import type { CheckJob } from "../src/queue/check-job.js";
import { CHECK_QUEUE } from "../src/queue/check-queue.js";
import { createFakeGitHub, type FakeGitHub } from "../test/fake-github/index.js";
import { startAppUnderTest } from "./app-under-test.js";
import { timeAuditRound, type AuditRound } from "./audit-round.js";
import { generateRepo } from "./generate-repo.js";
import { installFleet, type FleetRepo } from "./install-fleet.js";
import { prefixMemory, type PrefixMemory } from "./prefix-memory.js";
import { deletePrefix, REDIS_URL } from "./redis-prefix.js";

/**
 * The scheduled audit over a fleet: one synthetic repository installed as `repos`
 * repositories, the app in this process on a fresh Redis prefix, then two rounds.
 * - cold: every repository's audit scheduler is created, exactly as the worker creates it after
 *   a default-branch verdict (`ensureAuditSchedule`, the policy's default interval); a new
 *   `every` scheduler queues its first tick at once, so this is the first audit of each
 *   repository with empty blob and record caches.
 * - warm: once the app has gone quiet, each scheduler's own job template (data and options)
 *   is added for every repository in one `addBulk`, as the schedulers' next ticks would add
 *   them if they all fell due together; the commit is unchanged, so the caches are warm.
 */

export interface AuditFleetOptions {
  readonly repos: number;
  readonly files: number;
  readonly installations: number;
  readonly concurrency: number;
  readonly seed?: number;
  /** Per round (default 10 min). */
  readonly roundTimeoutMs?: number;
  /** Fresh Redis key prefix, deleted at the end (the caller may delete it on Ctrl-C too). */
  readonly prefix: string;
  readonly log?: (step: string) => void;
}

export interface AuditFleetResult {
  readonly options: AuditFleetOptions;
  readonly cold: AuditRound;
  readonly warm: AuditRound;
  readonly memory: PrefixMemory | null;
  readonly memoryError: string | null;
  /** `ru_maxrss` of this process (app, fake and load generator together), bytes. */
  readonly maxRssBytes: number;
}

const QUIET_MS = 1500;
const QUIET_MAX_MS = 120_000;

export async function measureAuditFleet(opts: AuditFleetOptions): Promise<AuditFleetResult> {
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.roundTimeoutMs ?? 600_000;
  log(`generating ${opts.files} files`);
  const gen = generateRepo({ files: opts.files, seed: opts.seed ?? 1 });
  const fake = await createFakeGitHub({ webhookSecret: `whsec-${randomBytes(12).toString("hex")}` });
  try {
    log(`installing it as ${opts.repos} repositories over ${opts.installations} installations`);
    const fleet = await installFleet(fake, { sourceDir: gen.dir, repos: opts.repos, installations: opts.installations });
    const app = await startAppUnderTest(fake, { prefix: opts.prefix, workers: true, concurrency: opts.concurrency });
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue<CheckJob>(CHECK_QUEUE, { connection: redis, prefix: opts.prefix });
    try {
      const worker = app.workers!.checkWorker;
      const everyMs = auditIntervalMs(DEFAULT_AUDIT_INTERVAL);
      log("cold round: creating the audit schedulers (first tick at once)");
      const cold = await timeAuditRound({
        fake, fleet, worker, timeoutMs,
        enqueue: async () => {
          for (const r of fleet) await ensureAuditSchedule(queue, { installationId: r.installationId, repoId: r.repoId, owner: r.owner, repo: r.repo }, everyMs);
        },
      });
      log(`cold round: ${cold.concluded}/${cold.repos} concluded; waiting for quiet`);
      await quiet(fake, queue);
      const jobs = await scheduledJobs(queue, fleet);
      log("warm round: every repository's scheduled job at once");
      const warm = await timeAuditRound({ fake, fleet, worker, timeoutMs, enqueue: async () => void (await queue.addBulk(jobs)) });
      log(`warm round: ${warm.concluded}/${warm.repos} concluded; measuring Redis`);
      await quiet(fake, queue);
      let memory: PrefixMemory | null = null;
      let memoryError: string | null = null;
      try {
        memory = await prefixMemory(redis, opts.prefix);
      } catch (e) {
        memoryError = (e as Error).message;
      }
      return { options: opts, cold, warm, memory, memoryError, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
    } finally {
      await queue.close();
      await app.close();
      redis.disconnect();
      await deletePrefix(opts.prefix);
    }
  } finally {
    await fake.close();
    rmSync(gen.dir, { recursive: true, force: true });
  }
}

/** The job each repository's scheduler adds on a tick: its stored template, unchanged. */
async function scheduledJobs(queue: Queue<CheckJob>, fleet: readonly FleetRepo[]): Promise<{ name: string; data: CheckJob; opts: Record<string, unknown> }[]> {
  return Promise.all(
    fleet.map(async (r) => {
      const s = await queue.getJobScheduler(auditSchedulerId(r));
      if (!s?.template?.data) throw new Error(`no audit scheduler for ${r.fullName} after the cold round`);
      const data = s.template.data as CheckJob;
      return { name: data.trigger, data, opts: { ...(s.template.opts ?? {}) } };
    }),
  );
}

/** No GitHub request for QUIET_MS and no check job waiting or running (bounded). */
async function quiet(fake: FakeGitHub, queue: Queue<CheckJob>): Promise<void> {
  const until = Date.now() + QUIET_MAX_MS;
  let seen = fake.requests.length;
  let since = Date.now();
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    if (fake.requests.length !== seen) {
      seen = fake.requests.length;
      since = Date.now();
    } else if (Date.now() - since >= QUIET_MS && (await queue.getJobCountByTypes("waiting", "active", "prioritized")) === 0) return;
  }
}
