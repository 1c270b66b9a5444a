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
  });
}

export async function installationClient(probot: Probot, installationId: number): Promise<GitHubClient> {
  return (await probot.auth(installationId)) as GitHubClient;
}
