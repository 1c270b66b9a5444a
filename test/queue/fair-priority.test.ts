import { Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import type { CheckJob } from "../../src/queue/check-job.js";
import { createCheckQueue, DEBOUNCE_MS, enqueueCheck } from "../../src/queue/check-queue.js";
import { fairPriority, PRIORITY_WINDOW_MS } from "../../src/queue/fair-priority.js";
import { scratchRedis } from "../store/scratch-redis.js";

const scratch = scratchRedis();
afterAll(async () => scratch.drop());

const jobOf = (installationId: number, i: number): CheckJob => ({
  installationId,
  repoId: installationId * 1000 + 1,
  owner: `org${installationId}`,
  repo: "r",
  sha: i.toString(16).padStart(40, "0"),
  branch: `branch-${i}`,
  trigger: "push",
  deliveryId: `d-${installationId}-${i}`,
  before: null,
  prNumber: null,
  baseSha: null,
  defaultBranch: "main",
  actor: {},
  enqueuedAt: Date.now(),
});

describe("fair share between installations", () => {
  it("ranks each installation's jobs in its window, separately per installation and per window", async () => {
    const t = 5 * PRIORITY_WINDOW_MS;
    expect([await fairPriority(scratch.redis, scratch.keys, 7, t), await fairPriority(scratch.redis, scratch.keys, 7, t + 1), await fairPriority(scratch.redis, scratch.keys, 8, t)]).toEqual([1, 2, 1]);
    expect(await fairPriority(scratch.redis, scratch.keys, 7, t + PRIORITY_WINDOW_MS)).toBe(1);
    expect(await scratch.redis.pttl(scratch.keys.enqueued(7, 5))).toBeGreaterThan(0);
  });

  it("a quiet installation's push runs before a noisy installation's backlog", async () => {
    const connection = { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", maxRetriesPerRequest: null };
    const queue = createCheckQueue(connection, scratch.keys.prefix);
    for (let i = 1; i <= 30; i++) await enqueueCheck(queue, jobOf(1, i), scratch);
    await enqueueCheck(queue, jobOf(2, 1), scratch);
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS + 200)); // every debounced job is waiting
    const order: number[] = [];
    const worker = new Worker<CheckJob>(queue.name, async (job) => void order.push(job.data.installationId), { connection, prefix: scratch.keys.prefix, concurrency: 1 });
    try {
      await expect.poll(() => order.length, { timeout: 15_000 }).toBe(31);
    } finally {
      await worker.close();
      await queue.close();
    }
    // Priority 1 for both installations' first job: the quiet one is second at worst, not 31st.
    expect(order.indexOf(2)).toBeLessThanOrEqual(1);
  }, 30_000);
});
