import pino from "pino";
import { loadAppConfig, type AppConfig } from "../src/github/app-config.js";
import { startPlumbline, type RunningPlumbline } from "../src/runtime/start-plumbline.js";
import type { FakeGitHub } from "../test/fake-github/index.js";
import { REDIS_URL } from "./redis-prefix.js";

/** The environment `plumbline serve|worker` would get, pointed at the fake (also handed to worker processes). */
export function appEnv(fake: FakeGitHub, prefix: string, concurrency: number): Record<string, string> {
  return {
    APP_ID: String(fake.appId),
    PRIVATE_KEY: fake.privateKeyPem,
    WEBHOOK_SECRET: fake.webhookSecret,
    REDIS_URL,
    GITHUB_API_URL: fake.url,
    PLUMBLINE_PREFIX: prefix,
    PORT: "0",
    HOST: "127.0.0.1",
    WORKER_CONCURRENCY: String(concurrency),
    LOG_LEVEL: "silent",
    // The soak and benchmarks pass this through, to compare caps.
    ...(process.env["INSTALLATION_CONCURRENCY"] ? { INSTALLATION_CONCURRENCY: process.env["INSTALLATION_CONCURRENCY"] } : {}),
  };
}

export function appConfig(env: Record<string, string>): AppConfig {
  return loadAppConfig(env);
}

/** The real composition root in this process, its webhook URL registered with the fake. */
export async function startAppUnderTest(fake: FakeGitHub, opts: { prefix: string; workers: boolean; concurrency?: number }): Promise<RunningPlumbline & { webhookUrl: string }> {
  const config = appConfig(appEnv(fake, opts.prefix, opts.concurrency ?? 2));
  const app = await startPlumbline(config, { web: true, workers: opts.workers, prefix: opts.prefix, log: pino({ level: process.env.BENCH_APP_LOG ?? "silent" }) });
  const webhookUrl = app.web!.webhookUrl;
  fake.setWebhookTarget(webhookUrl);
  const close = app.close.bind(app);
  return Object.assign(app, {
    webhookUrl,
    async close() {
      // startWorkers hands each BullMQ Worker its own ioredis connection, and BullMQ never
      // closes a connection it was given: after close() three sockets stay open and keep the
      // process alive (`plumbline worker` does not exit on SIGTERM for the same reason).
      const given = app.workers ? [app.workers.checkWorker, app.workers.deployWorker, app.workers.maintenanceWorker].map((w) => w.opts.connection as { disconnect?: () => void }) : [];
      await close();
      for (const c of given) c.disconnect?.();
    },
  });
}
