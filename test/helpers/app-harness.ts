import { randomBytes } from "node:crypto";
import pino from "pino";
import { loadAppConfig } from "../../src/github/app-config.js";
import { startPlumbline, type RunningPlumbline } from "../../src/runtime/start-plumbline.js";
import { createFakeGitHub, type FakeGitHub } from "../fake-github/index.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** A per-process test key (never a real secret); the ledger CLI tests pass the same one. */
export const LEDGER_KEY = `test-ledger-key-${randomBytes(16).toString("hex")}`;

export interface Harness {
  readonly fake: FakeGitHub;
  readonly app: RunningPlumbline;
  readonly prefix: string;
  readonly installationId: number;
  /** The configuration the app runs with, to start more workers on the same prefix. */
  readonly config: ReturnType<typeof loadAppConfig>;
  close(): Promise<void>;
}

/** The whole product over real HTTP: the fake GitHub, the Probot server, BullMQ workers, real Redis. */
export async function startHarness(opts: { workers?: boolean; reconcileEveryMs?: number; runDeadlineSeconds?: number } = {}): Promise<Harness> {
  const webhookSecret = `whsec-${randomBytes(12).toString("hex")}`;
  const fake = await createFakeGitHub({ webhookSecret });
  const prefix = `pltest-${randomBytes(6).toString("hex")}`;
  const config = loadAppConfig({
    APP_ID: String(fake.appId),
    PRIVATE_KEY: fake.privateKeyPem,
    WEBHOOK_SECRET: webhookSecret,
    REDIS_URL,
    GITHUB_API_URL: fake.url,
    PORT: "0",
    HOST: "127.0.0.1",
    WORKER_CONCURRENCY: "2",
    RUN_DEADLINE_SECONDS: String(opts.runDeadlineSeconds ?? 60),
    LOG_LEVEL: "silent",
    LEDGER_KEY: LEDGER_KEY,
  });
  const app = await startPlumbline(config, { web: true, workers: opts.workers ?? true, prefix, log: pino({ level: "silent" }), ...(opts.reconcileEveryMs ? { reconcileEveryMs: opts.reconcileEveryMs } : {}) });
  fake.setWebhookTarget(app.web!.webhookUrl);
  const { id: installationId } = fake.createInstallation({ account: { login: "acme", type: "Organization" } });
  return {
    fake,
    app,
    prefix,
    installationId,
    config,
    async close() {
      await app.close();
      await fake.close();
      await cleanupPrefix(prefix);
    },
  };
}

async function cleanupPrefix(prefix: string) {
  const { Redis } = await import("ioredis");
  const r = new Redis(REDIS_URL);
  let cursor = "0";
  do {
    const [next, found] = await r.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (found.length) await r.del(...found);
  } while (cursor !== "0");
  r.disconnect();
}

export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
