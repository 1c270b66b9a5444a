import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { appEnv } from "../bench/app-under-test.js";
import { deletePrefix, freshPrefix, REDIS_URL } from "../bench/redis-prefix.js";
import { startServerThread, type ServerThread } from "../bench/webhook-server-thread.js";
import { CHECK_QUEUE } from "../src/queue/check-queue.js";
import { NOTICE_QUEUE } from "../src/queue/supersede-notice.js";
import type { FakeGitHub } from "../test/fake-github/index.js";
import { killAllWorkersNow, startWorkerPool, type WorkerPool } from "./soak-workers.js";

/**
 * One deployment of the app for one soak phase: a fresh Redis prefix, the webhook server
 * (thread of this process) and `plumbline worker` processes. Each phase gets its own, so a
 * backlog one phase leaves (jobs still queued, or active and waiting on GitHub) cannot be
 * charged to the next; the prefix is deleted when the phase's stack stops.
 */
export interface Stack {
  readonly prefix: string;
  readonly server: ServerThread;
  readonly pool: WorkerPool;
  readonly queue: Queue;
  /** Superseded SHAs' runs still to write (src/queue/supersede-notice.ts). */
  readonly notices: Queue;
  /** The server thread's event-loop utilisation since the last call (0–1). */
  serverBusy(): Promise<number>;
  stop(): Promise<void>;
}

const stacks = new Set<Stack>();

export async function startStack(fake: FakeGitHub, opts: { workers: number; concurrency: number; tag: string }): Promise<Stack> {
  const prefix = freshPrefix(opts.tag);
  const env = appEnv(fake, prefix, opts.concurrency);
  let server: ServerThread | null = null;
  let pool: WorkerPool | null = null;
  try {
    server = await startServerThread(env, prefix);
    fake.setWebhookTarget(server.webhookUrl);
    pool = await startWorkerPool(opts.workers, env);
  } catch (e) {
    await pool?.stop();
    await server?.close();
    await deletePrefix(prefix);
    throw e;
  }
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(CHECK_QUEUE, { connection: redis, prefix });
  const notices = new Queue(NOTICE_QUEUE, { connection: redis, prefix });
  const s = server;
  const p = pool;
  const stack: Stack = {
    prefix,
    server: s,
    pool: p,
    queue,
    notices,
    serverBusy: () => s.busy(),
    async stop() {
      stacks.delete(stack);
      await p.stop().catch(() => killAllWorkersNow());
      await s.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      await notices.close().catch(() => undefined);
      redis.disconnect();
      await deletePrefix(prefix).catch(() => undefined);
    },
  };
  stacks.add(stack);
  return stack;
}

/** Prefixes of stacks still running (for the Ctrl-C path, which cannot wait for a clean stop). */
export const livePrefixes = (): string[] => [...stacks].map((s) => s.prefix);
