import { randomBytes } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFER_MS, HOLD_MS, InstallationSlots } from "../../src/queue/installation-slots.js";
import { URGENT_PRIORITY } from "../../src/queue/fair-priority.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
type Data = { installationId: number; n: number };

/** Real BullMQ on the shared Redis, fresh prefix: a worker whose jobs each hold their slot for `workMs`. */
describe("installation slots", () => {
  let prefix: string;
  let connection: Redis;
  let closers: Array<() => Promise<void>>;
  beforeEach(() => {
    prefix = `pltest-${randomBytes(6).toString("hex")}`;
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    closers = [];
  });
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    const found = await connection.keys(`${prefix}:*`);
    if (found.length) await connection.del(...found);
    connection.disconnect();
  });

  const start = (cap: number | null, concurrency: number, workMs: number) => {
    const queue = new Queue<Data>("slots", { connection, prefix });
    const slots = cap === null ? null : new InstallationSlots(cap);
    const started = new Map<number, number>();
    const done: Data[] = [];
    let attempts = 0;
    const worker = new Worker<Data>(
      "slots",
      async (job, token) => {
        const release = slots ? await slots.enter(job, token) : () => {};
        try {
          attempts++;
          started.set(job.data.n, Date.now());
          await new Promise((r) => setTimeout(r, workMs));
          done.push(job.data);
        } finally {
          release();
        }
      },
      { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency },
    );
    closers.push(async () => {
      await worker.close();
      await queue.close();
      await (worker.opts.connection as Redis).quit();
    });
    return { queue, slots, started, done, attempts: () => attempts };
  };

  /** A flood of installation 1's jobs, then one job of installation 2: how long until it starts. */
  const quietWait = async (cap: number | null) => {
    const s = start(cap, 4, 400);
    // Ranked as enqueueCheck ranks them (fair-priority.ts): the quiet job's rank 1 goes first.
    await s.queue.addBulk(Array.from({ length: 40 }, (_, n) => ({ name: "noisy", data: { installationId: 1, n }, opts: { priority: n + 1 } })));
    await new Promise((r) => setTimeout(r, 150));
    const sent = Date.now();
    await s.queue.add("quiet", { installationId: 2, n: 1000 }, { priority: 1 });
    const deadline = Date.now() + 10_000;
    while (!s.started.has(1000) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return { wait: s.started.get(1000)! - sent, s };
  };

  it("keeps a slot for another installation's job while one installation floods the queue", async () => {
    const { wait } = await quietWait(2);
    // It gets a slot at once or after one hold, not after a flood job's 400 ms of work.
    expect(wait).toBeLessThan(HOLD_MS + 150);
  });

  it("without the cap the same job waits for a flood job to finish (what the cap is for)", async () => {
    const { wait } = await quietWait(null);
    expect(wait).toBeGreaterThan(200);
  });

  it("defers what is over the cap back to Redis without losing it or counting an attempt, and hands freed slots on", async () => {
    const s = start(1, 3, 60);
    await s.queue.addBulk(Array.from({ length: 12 }, (_, n) => ({ name: "noisy", data: { installationId: 1, n } })));
    const deadline = Date.now() + 12 * (60 + DEFER_MS) + 5_000;
    while (s.done.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(s.done.map((d) => d.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, n) => n));
    // Each job ran once: deferral is not an attempt, and never two at a time for one installation.
    expect(s.attempts()).toBe(12);
    const counts = await s.queue.getJobCounts("completed", "failed", "delayed", "wait", "prioritized");
    expect(counts).toMatchObject({ completed: 12, failed: 0, delayed: 0 });
    expect(s.slots!.holding(1)).toBe(0);
  });

  it("never holds back a re-evaluation the reconciler found stuck", async () => {
    const s = start(1, 3, 300);
    await s.queue.add("noisy", { installationId: 1, n: 0 });
    await new Promise((r) => setTimeout(r, 100));
    const sent = Date.now();
    await s.queue.add("urgent", { installationId: 1, n: 1 }, { priority: URGENT_PRIORITY });
    while (!s.started.has(1) && Date.now() < sent + 5_000) await new Promise((r) => setTimeout(r, 5));
    expect(s.started.get(1)! - sent).toBeLessThan(HOLD_MS + 100);
  });
});
