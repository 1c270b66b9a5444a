import { DelayedError, type Job } from "bullmq";
import type { Logger } from "pino";
import { rateLimitResetOf } from "../github/github-client.js";

/**
 * The installation's hourly budget is spent: the job waits in Redis for the reset, not in a
 * worker slot, and other installations keep being served. Not an attempt. A newer push to the
 * branch replaces a waiting check job (newest wins). Any other error is the caller's.
 */
export async function waitOutRateLimit(job: Job<{ installationId: number; repoId: number }>, token: string | undefined, err: unknown, now: () => Date, log: Logger, spent: SpentInstallations): Promise<never> {
  const resetAt = rateLimitResetOf(err);
  if (resetAt === null || !token) throw err;
  if (spent.record(job.data.installationId, resetAt)) log.warn({ installationId: job.data.installationId, until: new Date(resetAt).toISOString() }, "rate limit exhausted; the installation's jobs wait for the reset");
  await job.moveToDelayed(waitUntil(now, resetAt), token);
  throw new DelayedError();
}

const waitUntil = (now: () => Date, resetAt: number) => Math.max(now().getTime(), resetAt) + 1000 + Math.floor(Math.random() * 5000);

/**
 * Installations whose hourly budget this process saw spent, until their reset. Their later
 * jobs are parked at once, before any request: each would only meet another 403, and a flood
 * of them (the soak's noisy installation: 5,000 jobs an hour past its budget) cost everyone
 * else CPU in requests, error handling and a log line apiece. Per process: another process
 * learns it from its own first 403.
 */
export class SpentInstallations {
  private readonly until = new Map<number, number>();

  /** Remembers a reset; true when it is news (the first job to find the budget spent). */
  record(installationId: number, resetAt: number): boolean {
    const known = this.until.get(installationId);
    this.until.set(installationId, Math.max(known ?? 0, resetAt));
    return known === undefined || known < resetAt - 1000;
  }

  async parkIfSpent(job: Job<{ installationId: number }>, token: string | undefined, now: () => Date): Promise<void> {
    const resetAt = this.until.get(job.data.installationId);
    if (resetAt === undefined || !token) return;
    if (resetAt <= now().getTime()) {
      this.until.delete(job.data.installationId);
      return;
    }
    await job.moveToDelayed(waitUntil(now, resetAt), token);
    throw new DelayedError();
  }
}
