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

const DEFAULT_API = "https://api.github.com";

/**
 * `fetch` with a deadline; an abort surfaces as a status-500 RequestError, so plugin-retry
 * retries it. Also routes requests for api.github.com to `baseUrl`: Probot builds its
 * app-auth request without the configured baseUrl, so a direct `auth({type: "installation"})`
 * (the token refresh below) went to api.github.com, on GHES with the app's JWT.
 */
export function fetchWithTimeout(timeoutMs: number, baseUrl: string = DEFAULT_API): typeof fetch {
  const base = baseUrl.replace(/\/+$/, "");
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const target = base !== DEFAULT_API && typeof input === "string" && input.startsWith(`${DEFAULT_API}/`) ? base + input.slice(DEFAULT_API.length) : input;
    return fetch(target, { ...init, signal });
  };
}

/**
 * Retries stay bounded: a primary rate limit is retried twice (Probot's handler), a secondary
 * one once after its `retry-after` (below), 5xx and timeouts three times (plugin-retry). A
 * request that still fails fails the job, which BullMQ retries with exponential backoff:
 * measured, GitHub answering 503 for good costs 16 requests on the failing call per job.
 * A secondary rate limit asking for a longer wait than this fails the request instead.
 */
export const MAX_SECONDARY_WAIT_SECONDS = 120;
/**
 * An exhausted primary rate limit resets within the hour. Probot waited for it inside the
 * request, so a job held its worker slot for up to an hour: one installation out of budget
 * stalled every installation's evaluations (the soak). A longer wait fails the request; the
 * worker puts the job back until the reset (see rateLimitResetOf), without holding a slot.
 */
export const MAX_PRIMARY_WAIT_SECONDS = 3;

const BoundedOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  retry: { retries: 3 },
  ...options,
  // Probot's handler never retries a secondary rate limit, so the job failed and BullMQ came
  // back after its 2 s backoff, before `retry-after` (measured: 2.0 s against 3 s), which GitHub
  // answers by extending the limit. Wait it out once, in the client, up to a bound.
  throttle: {
    ...(options.throttle as object),
    onRateLimit: (retryAfter: number, req: { request: { retryCount: number } }) => req.request.retryCount < 2 && retryAfter <= MAX_PRIMARY_WAIT_SECONDS,
    onSecondaryRateLimit: (retryAfter: number, req: { request: { retryCount: number } }) => req.request.retryCount < 1 && retryAfter <= MAX_SECONDARY_WAIT_SECONDS },
}));

/**
 * When `err` is GitHub saying the installation's primary rate limit is spent, the time it
 * resets (epoch ms); else null.
 */
export function rateLimitResetOf(err: unknown): number | null {
  const e = err as { status?: number; response?: { headers?: Record<string, string | undefined> } };
  if (e?.status !== 403 && e?.status !== 429) return null;
  const headers = e.response?.headers ?? {};
  if (headers["x-ratelimit-remaining"] !== "0") return null;
  const reset = Number(headers["x-ratelimit-reset"]);
  return Number.isFinite(reset) && reset > 0 ? reset * 1000 : null;
}

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
    request: { fetch: fetchWithTimeout(creds.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, creds.baseUrl) },
  });
}

/**
 * An installation client that survives its token dying. Probot caches installation tokens for
 * 59 minutes and @octokit/auth-app retries a 401 only within 5 s of minting, so a token that
 * expired early or was revoked (clock skew, app key rotation, GitHub-side revocation) failed
 * every request of every job of the installation for up to an hour, check-run publishing and
 * the reconciler included: runs stayed in_progress (test/reliability/github-faults.test.ts).
 * On a 401 the token is minted again (into Probot's shared cache) and the request retried once.
 */
export async function installationClient(probot: Probot, installationId: number): Promise<GitHubClient> {
  const client = (await probot.auth(installationId)) as GitHubClient;
  client.hook.wrap("request", async (request, options) => {
    try {
      return await request(options);
    } catch (err) {
      if ((err as { status?: number }).status !== 401) throw err;
      const app = await probot.auth();
      await app.auth({ type: "installation", installationId, refresh: true });
      return request(options);
    }
  });
  return client;
}
