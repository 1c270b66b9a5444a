import pino, { type Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";

/** An installation-authenticated REST client (Probot's Octokit: retry + throttling plugins). */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;

export interface GitHubAppCredentials {
  readonly appId: number;
  readonly privateKey: string;
  readonly webhookSecret: string;
  /** REST base URL: https://api.github.com, a GHES `/api/v3` URL, or the test fake. */
  readonly baseUrl: string;
  /** Per-request timeout, headers and body (default DEFAULT_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs?: number;
}

/**
 * Octokit ≥ 18 has no request timeout and Probot sets none, so a GitHub that accepts the
 * connection and then stalls held a job for undici's 300 s header timeout per attempt (×4
 * with plugin-retry, ×4 BullMQ attempts), far past the run deadline. GitHub itself gives up on
 * API requests after 10 s; 30 s leaves room for a large blob.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** `fetch` with a deadline; an abort surfaces as a status-500 RequestError, so plugin-retry retries it. */
export function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}

/**
 * Retries stay bounded without our help: Probot installs its own throttle options (a primary
 * rate limit is retried twice, then the request fails; a secondary one is not retried) and
 * plugin-retry retries 5xx three times. A request that still fails fails the job, which BullMQ
 * retries with exponential backoff: never a retry storm.
 */
const BoundedOctokit = ProbotOctokit.defaults({ retry: { retries: 3 } });

export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** One Probot per process: it caches installation tokens and refreshes them before expiry. */
export function createProbotApp(creds: GitHubAppCredentials, log: Logger = silentLogger()): Probot {
  return new Probot({
    appId: creds.appId,
    privateKey: creds.privateKey,
    secret: creds.webhookSecret,
    baseUrl: creds.baseUrl,
    log,
    Octokit: BoundedOctokit as typeof ProbotOctokit,
    // Probot hands `request` to every Octokit it creates and to the token-minting requests.
    request: { fetch: fetchWithTimeout(creds.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) },
  });
}

export async function installationClient(probot: Probot, installationId: number): Promise<GitHubClient> {
  return (await probot.auth(installationId)) as GitHubClient;
}
