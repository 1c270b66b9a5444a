import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { loadAppConfig, type AppConfig } from "../../src/github/app-config.js";
import { startPlumbline, type RunningPlumbline } from "../../src/runtime/start-plumbline.js";
import { redisKeys, type RedisKeys } from "../../src/store/redis-keys.js";
import { createFakeGitHub, type FakeGitHub } from "../fake-github/index.js";
import { deletePrefix } from "./redis-inspect.js";

export const SHARED_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** One content rule: a verdict that is a pure function of the pushed file, so every run has a known answer. */
export const POLICY = `version: 1
invariants:
  - id: no-console
    kind: content
    why: Findings are data, not console output.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
`;
export const CLEAN = "export const ok = 1;\n";
export const DIRTY = "console.log('x');\n";
export const HUMAN = { login: "alice", id: 1001, type: "User" as const };

export interface RigOptions {
  readonly redisUrl?: string;
  readonly web?: boolean;
  /** In-process workers (false when the test runs worker child processes instead). */
  readonly workers?: boolean;
  readonly runDeadlineSeconds?: number;
  readonly reconcileEveryMs?: number;
  readonly redeliverEveryMs?: number;
  readonly log?: Logger;
  /** Extra configuration environment (e.g. GITHUB_REQUEST_TIMEOUT_MS). */
  readonly env?: Record<string, string>;
  /** Point the app at something in front of the fake (a rewriting proxy). */
  readonly apiUrl?: (fakeUrl: string) => Promise<string> | string;
}

export interface Rig {
  readonly fake: FakeGitHub;
  readonly app: RunningPlumbline;
  readonly config: AppConfig;
  readonly prefix: string;
  readonly keys: RedisKeys;
  readonly redisUrl: string;
  /** An inspection client (not the app's). */
  readonly redis: Redis;
  readonly installationId: number;
  readonly webhookSecret: string;
  /** Environment for `node bin/plumbline.js worker|serve` children sharing this rig. */
  childEnv(extra?: Record<string, string>): Record<string, string>;
  /** A repository with the content policy on main; returns its full name. */
  repoWithPolicy(name: string, installationId?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * For scenarios that build their races inside one installation (an old SHA's job still running
 * while the newer one is judged): the per-installation cap would run them one after the other.
 * The cap has its own tests (test/queue/installation-slots.test.ts) and the soak.
 */
export const UNCAPPED = { INSTALLATION_CONCURRENCY: "64" } as const;

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const webhookSecret = `whsec-${randomBytes(16).toString("hex")}`;
  const fake = await createFakeGitHub({ webhookSecret });
  const prefix = `plrel-${randomBytes(6).toString("hex")}`;
  const redisUrl = opts.redisUrl ?? SHARED_REDIS_URL;
  const apiUrl = opts.apiUrl ? await opts.apiUrl(fake.url) : fake.url;
  const env = {
    APP_ID: String(fake.appId),
    PRIVATE_KEY: fake.privateKeyPem,
    WEBHOOK_SECRET: webhookSecret,
    REDIS_URL: redisUrl,
    GITHUB_API_URL: apiUrl,
    PLUMBLINE_PREFIX: prefix,
    PORT: "0",
    HOST: "127.0.0.1",
    WORKER_CONCURRENCY: "2",
    RUN_DEADLINE_SECONDS: String(opts.runDeadlineSeconds ?? 60),
    LOG_LEVEL: "silent",
    ...opts.env,
  };
  const config = loadAppConfig(env);
  const app = await startPlumbline(config, {
    web: opts.web ?? true,
    workers: opts.workers ?? true,
    prefix,
    log: opts.log ?? pino({ level: "silent" }),
    ...(opts.reconcileEveryMs ? { reconcileEveryMs: opts.reconcileEveryMs } : {}),
    ...(opts.redeliverEveryMs ? { redeliverEveryMs: opts.redeliverEveryMs } : {}),
  });
  if (app.web) fake.setWebhookTarget(app.web.webhookUrl);
  const { id: installationId } = fake.createInstallation({ account: { login: "acme", type: "Organization" } });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  return {
    fake,
    app,
    config,
    prefix,
    keys: redisKeys(prefix),
    redisUrl,
    redis,
    installationId,
    webhookSecret,
    childEnv: (extra = {}) => ({ ...env, LOG_LEVEL: "silent", ...extra }),
    async repoWithPolicy(name, inst = installationId) {
      const [owner, repo] = name.split("/") as [string, string];
      await fake.createRepo(inst, { owner, name: repo });
      await fake.commit(name, { branch: "main", message: "init", files: { "invariants/a.yml": POLICY, "src/a.ts": CLEAN } });
      return name;
    },
    async close() {
      await Promise.race([app.close(), sleep(10_000)]);
      await fake.close();
      redis.disconnect();
      await deletePrefix(redisUrl, prefix);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The run of `sha` once completed (the fake keeps every run; a commit normally has one). */
export const completedRun = (rig: Rig, repo: string, sha: string, timeoutMs?: number) =>
  waitFor(`a completed run on ${sha.slice(0, 7)}`, () => rig.fake.checkRuns(repo, sha).find((r) => r.status === "completed"), timeoutMs);
