import { readFileSync } from "node:fs";
import type { LedgerKey } from "../core/ledger.js";
import { IN_PROGRESS_AFTER_MS } from "../queue/deferred-in-progress.js";
import { LedgerKeyError, ledgerKeyFromEnv } from "../store/ledger-key.js";

/** Everything the server and workers read from the environment, validated once at start. */
export interface AppConfig {
  readonly appId: number;
  readonly privateKey: string;
  readonly webhookSecret: string;
  readonly redisUrl: string;
  /** Prefix of every Redis key (queues included): several deployments can share one Redis. */
  readonly redisPrefix: string;
  readonly githubApiUrl: string;
  readonly port: number;
  readonly host: string;
  readonly webhookPath: string;
  readonly workerConcurrency: number;
  /** Evaluation slots one installation may hold per process, so another installation's push finds one free (see src/queue/installation-slots.ts). */
  readonly installationConcurrency: number;
  /** Seconds after which an unconcluded run is concluded by the reconciler. */
  readonly runDeadlineSeconds: number;
  /** A check run appears `in_progress` once its evaluation has taken this long (0: at pickup). */
  readonly inProgressAfterMs: number;
  /** Timeout of one GitHub API request (GITHUB_REQUEST_TIMEOUT_MS, default 30 s). */
  readonly githubRequestTimeoutMs: number;
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  /** Signs provenance ledger entries. Never logged. */
  readonly ledgerKey: LedgerKey;
  /** Things that work but should not in production (e.g. the public development ledger key). */
  readonly warnings: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Plumbline cannot start:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Refuses to start rather than run insecurely: Probot alone would fall back to the webhook
 * secret "development" and accept anyone's forged deliveries.
 */
export function loadAppConfig(env: Env, opts: { needsWebhooks: boolean } = { needsWebhooks: true }): AppConfig {
  const problems: string[] = [];
  const appId = Number(env.APP_ID);
  if (!env.APP_ID || !Number.isInteger(appId) || appId <= 0) problems.push("set APP_ID to the GitHub App's numeric id (Settings → Developer settings → GitHub Apps → App ID)");

  let privateKey = env.PRIVATE_KEY?.replace(/\\n/g, "\n") ?? "";
  if (!privateKey && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
    } catch (err) {
      problems.push(`PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); point it at the app's .pem file`);
    }
  }
  if (!privateKey && !env.PRIVATE_KEY_PATH) problems.push("set PRIVATE_KEY (the PEM text) or PRIVATE_KEY_PATH (a path to the app's .pem file)");
  else if (privateKey && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) problems.push("PRIVATE_KEY / PRIVATE_KEY_PATH does not contain a PEM private key (expected a -----BEGIN RSA PRIVATE KEY----- block)");

  const webhookSecret = env.WEBHOOK_SECRET ?? "";
  if (opts.needsWebhooks) {
    if (!webhookSecret) problems.push("set WEBHOOK_SECRET to the app's webhook secret; Plumbline will not fall back to a default secret");
    else if (webhookSecret === "development" || webhookSecret.length < 12) problems.push("WEBHOOK_SECRET is too weak (at least 12 characters, and not Probot's default \"development\")");
  }

  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a TCP port number, got ${env.PORT}`);
  const concurrency = Number(env.WORKER_CONCURRENCY ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) problems.push(`WORKER_CONCURRENCY must be an integer from 1 to 64, got ${env.WORKER_CONCURRENCY}`);
  const perInstallation = Number(env.INSTALLATION_CONCURRENCY ?? Math.max(1, Math.ceil(concurrency / 2)));
  if (!Number.isInteger(perInstallation) || perInstallation < 1 || perInstallation > 64) problems.push(`INSTALLATION_CONCURRENCY must be an integer from 1 to 64, got ${env.INSTALLATION_CONCURRENCY}`);
  const deadline = Number(env.RUN_DEADLINE_SECONDS ?? 600);
  if (!Number.isFinite(deadline) || deadline < 5) problems.push(`RUN_DEADLINE_SECONDS must be a number ≥ 5, got ${env.RUN_DEADLINE_SECONDS}`);
  const inProgressAfter = Number(env.IN_PROGRESS_AFTER_MS ?? IN_PROGRESS_AFTER_MS);
  if (!Number.isInteger(inProgressAfter) || inProgressAfter < 0 || inProgressAfter > 600_000) problems.push(`IN_PROGRESS_AFTER_MS must be an integer from 0 to 600000, got ${env.IN_PROGRESS_AFTER_MS}`);
  const requestTimeout = Number(env.GITHUB_REQUEST_TIMEOUT_MS ?? 30_000);
  if (!Number.isInteger(requestTimeout) || requestTimeout < 100 || requestTimeout > 600_000) problems.push(`GITHUB_REQUEST_TIMEOUT_MS must be an integer from 100 to 600000, got ${env.GITHUB_REQUEST_TIMEOUT_MS}`);
  const apiUrl = env.GITHUB_API_URL ?? "https://api.github.com";
  try {
    new URL(apiUrl);
  } catch {
    problems.push(`GITHUB_API_URL must be a URL such as https://api.github.com or https://ghe.example.com/api/v3, got ${apiUrl}`);
  }
  const levels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
  const logLevel = (env.LOG_LEVEL ?? "info") as AppConfig["logLevel"];
  if (!levels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${levels.join(", ")}, got ${env.LOG_LEVEL}`);

  const redisPrefix = env.PLUMBLINE_PREFIX ?? "pl";
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(redisPrefix)) problems.push(`PLUMBLINE_PREFIX must be 1–40 letters, digits, \`_\` or \`-\`, got ${JSON.stringify(redisPrefix)}`);

  const warnings: string[] = [];
  let ledgerKey: LedgerKey | null = null;
  try {
    ledgerKey = ledgerKeyFromEnv(env);
  } catch (err) {
    if (!(err instanceof LedgerKeyError)) throw err;
    // Outside production a missing key falls back to the public development key, loudly; a
    // key that is set but too short is always an error (it was meant to be secret).
    if (env.NODE_ENV !== "production" && !env.LEDGER_KEY) {
      ledgerKey = ledgerKeyFromEnv(env, { insecureDevKey: true });
      warnings.push("LEDGER_KEY is not set: ledger entries are signed with the public development key and prove nothing. Set LEDGER_KEY (`openssl rand -hex 32`) in production");
    } else problems.push(err.message);
  }

  if (problems.length) throw new ConfigError(problems);
  return {
    appId,
    privateKey,
    webhookSecret,
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    redisPrefix,
    githubApiUrl: apiUrl.replace(/\/+$/, ""),
    port,
    host: env.HOST ?? "0.0.0.0",
    webhookPath: env.WEBHOOK_PATH ?? "/api/github/webhooks",
    workerConcurrency: concurrency,
    installationConcurrency: perInstallation,
    runDeadlineSeconds: deadline,
    inProgressAfterMs: inProgressAfter,
    githubRequestTimeoutMs: requestTimeout,
    logLevel,
    ledgerKey: ledgerKey!,
    warnings,
  };
}
