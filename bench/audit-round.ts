import type { Job, Worker } from "bullmq";
import { AUDIT_CHECK_RUN_NAME } from "../src/github/render-audit.js";
import type { CheckJob } from "../src/queue/check-job.js";
import type { JobResult } from "../src/queue/process-check-job.js";
import type { FakeGitHub, RecordedRequest } from "../test/fake-github/index.js";
import type { FleetRepo } from "./install-fleet.js";

/**
 * One audit round over a fleet: every repository's scheduled audit enqueued at once, timed
 * from just before the enqueue to each repository's `Plumbline audit` run completing, as the
 * fake stamped the completing create/update (so how often this loop polls changes nothing).
 * Also kept: each audit job's time inside the worker (BullMQ processedOn → finishedOn), the
 * GitHub requests made in the round, and the process RSS sampled while it ran.
 */

export interface AuditRound {
  readonly repos: number;
  readonly concluded: number;
  /** Start → last audit concluded (∞ when one did not conclude in time). */
  readonly wallMs: number;
  /** Per repository, start → its audit run concluded (∞ when not concluded). */
  readonly latencyMs: readonly number[];
  /** Per completed audit job: processedOn → finishedOn in the worker. */
  readonly serviceMs: readonly number[];
  readonly failedAttempts: readonly string[];
  readonly conclusions: readonly string[];
  /** GitHub requests started between the start and the last conclusion. */
  readonly requests: readonly RecordedRequest[];
  readonly peakRssBytes: number;
}

const POLL_MS = 250;
/** The job's own completion follows its last GitHub write by a few Redis round trips. */
const JOB_EVENTS_GRACE_MS = 5000;
const RSS_SAMPLE_MS = 100;

const completes = (body: Record<string, unknown>): boolean => body.status === "completed" || typeof body.conclusion === "string";

export async function timeAuditRound(opts: { fake: FakeGitHub; fleet: readonly FleetRepo[]; worker: Worker<CheckJob, JobResult>; enqueue: () => Promise<void>; timeoutMs: number }): Promise<AuditRound> {
  const { fake, fleet, worker } = opts;
  const wanted = new Set(fleet.map((r) => r.repoId));
  const serviceMs = new Map<number, number>();
  const failedAttempts: string[] = [];
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), RSS_SAMPLE_MS);
  const started = Date.now();
  // Only this round's audit jobs: agent-branch audits would have a branch, other rounds an older timestamp.
  const ours = (job: Job<CheckJob> | undefined): job is Job<CheckJob> => !!job && job.data.trigger === "schedule" && job.data.branch === null && wanted.has(job.data.repoId) && job.timestamp >= started;
  const onCompleted = (job: Job<CheckJob>) => {
    if (ours(job) && job.processedOn) serviceMs.set(job.data.repoId, (job.finishedOn ?? Date.now()) - job.processedOn);
  };
  const onFailed = (job: Job<CheckJob> | undefined, err: Error) => {
    if (ours(job)) failedAttempts.push(`${job.data.owner}/${job.data.repo} attempt ${job.attemptsMade}: ${err.message}`);
  };
  worker.on("completed", onCompleted);
  worker.on("failed", onFailed);
  const firstRequest = fake.requests.length;
  const concludedAt = new Map<string, { at: number; conclusion: string }>();
  try {
    await opts.enqueue();
    const until = started + opts.timeoutMs;
    while (concludedAt.size < fleet.length && Date.now() < until) {
      await sleep(POLL_MS);
      for (const r of fleet) {
        if (concludedAt.has(r.fullName)) continue;
        const done = auditCompletion(fake, r, started);
        if (done) concludedAt.set(r.fullName, done);
      }
    }
    const graceUntil = Date.now() + JOB_EVENTS_GRACE_MS;
    while (serviceMs.size < concludedAt.size && Date.now() < graceUntil) await sleep(50);
  } finally {
    clearInterval(sampler);
    worker.off("completed", onCompleted);
    worker.off("failed", onFailed);
  }
  const stamps = [...concludedAt.values()].map((c) => c.at);
  const lastAt = stamps.length ? Math.max(...stamps) : started;
  const all = concludedAt.size === fleet.length;
  return {
    repos: fleet.length,
    concluded: concludedAt.size,
    wallMs: all ? lastAt - started : Number.POSITIVE_INFINITY,
    latencyMs: fleet.map((r) => {
      const c = concludedAt.get(r.fullName);
      return c ? c.at - started : Number.POSITIVE_INFINITY;
    }),
    serviceMs: [...serviceMs.values()],
    failedAttempts,
    conclusions: [...concludedAt.values()].map((c) => c.conclusion),
    requests: fake.requests.slice(firstRequest).filter((q) => q.at <= lastAt),
    peakRssBytes: peakRss,
  };
}

/** The first completing write of the repository's audit run on its tip since `since`. */
function auditCompletion(fake: FakeGitHub, r: FleetRepo, since: number): { at: number; conclusion: string } | null {
  let first: { at: number; conclusion: string } | null = null;
  for (const run of fake.checkRuns(r.fullName, r.sha)) {
    if (run.name !== AUDIT_CHECK_RUN_NAME) continue;
    for (const h of run.history) {
      if (h.at < since || !completes(h.body)) continue;
      if (!first || h.at < first.at) first = { at: h.at, conclusion: String(h.body.conclusion ?? run.conclusion ?? "?") };
    }
  }
  return first;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
