import type { Redis } from "ioredis";
import type { RedisKeys, RepoScope } from "../store/redis-keys.js";
import { withRedisLock } from "../store/redis-lock.js";
import { capText } from "./check-run-limits.js";
import type { GitHubClient } from "./github-client.js";

/**
 * The opt-in dashboard issue (`settings.dashboard: true`): one issue per repository, updated in
 * place. It is found again by its number in Redis, else by label + a hidden marker in its body
 * (Redis may have been flushed; the issue is the durable copy), else created. A Redis lock
 * around find-or-create makes concurrent audits of one repository update one issue, never
 * create two. A closed dashboard stays closed (someone closed it on purpose) but stays current.
 */

export const DASHBOARD_LABEL = "plumbline-dashboard";
export const DASHBOARD_MARKER = "<!-- plumbline:dashboard -->";
export const DASHBOARD_TITLE = "Plumbline dashboard: invariant decay";
/** GitHub rejects issue bodies over 65,536 characters. */
const MAX_ISSUE_BODY = 65_536;

export interface DashboardTarget {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly scope: RepoScope;
  readonly owner: string;
  readonly repo: string;
}

export interface DashboardOptions {
  /** The lock expires on its own after this long, so a crashed holder cannot wedge the dashboard. Default 30 s. */
  readonly lockTtlMs?: number;
  /** How long to wait for another holder before giving up (the job retries). Default 20 s. */
  readonly waitMs?: number;
}

export interface EnsuredDashboard {
  readonly number: number;
  readonly created: boolean;
}

export async function ensureDashboardIssue(client: GitHubClient, target: DashboardTarget, body: string, opts: DashboardOptions = {}): Promise<EnsuredDashboard> {
  const text = `${DASHBOARD_MARKER}\n${capText(body, MAX_ISSUE_BODY - DASHBOARD_MARKER.length - 1)}`;
  const lock = { ttlMs: opts.lockTtlMs ?? 30_000, waitMs: opts.waitMs ?? 20_000, what: `the dashboard issue of ${target.owner}/${target.repo}` };
  return withRedisLock(target.redis, target.keys.dashboardLock(target.scope), lock, async () => {
    const { redis, keys, scope, owner, repo } = target;
    const stored = Number(await redis.get(keys.dashboardIssue(scope)));
    if (stored > 0 && (await update(client, owner, repo, stored, text))) return { number: stored, created: false };

    const found = await findDashboard(client, owner, repo);
    if (found !== null && (await update(client, owner, repo, found, text))) {
      await redis.set(keys.dashboardIssue(scope), String(found));
      return { number: found, created: false };
    }
    const created = await client.request("POST /repos/{owner}/{repo}/issues", { owner, repo, title: DASHBOARD_TITLE, body: text, labels: [DASHBOARD_LABEL] });
    await redis.set(keys.dashboardIssue(scope), String(created.data.number));
    return { number: created.data.number, created: true };
  });
}

/** False when the issue is gone (deleted, transferred): the caller looks for another or creates one. */
async function update(client: GitHubClient, owner: string, repo: string, issueNumber: number, body: string): Promise<boolean> {
  try {
    await client.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: issueNumber, body });
    return true;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404 || status === 410) return false;
    throw err;
  }
}

/**
 * The oldest issue carrying both the label and the marker, opened by a bot. Anyone who can label
 * issues could plant the marker; requiring a bot author keeps a person's issue from being
 * overwritten, and the oldest wins so a stray duplicate never takes over.
 */
async function findDashboard(client: GitHubClient, owner: string, repo: string): Promise<number | null> {
  const issues = await client.paginate("GET /repos/{owner}/{repo}/issues", { owner, repo, labels: DASHBOARD_LABEL, state: "all", per_page: 100 });
  const mine = issues.filter((i) => !i.pull_request && i.user?.type === "Bot" && (i.body ?? "").includes(DASHBOARD_MARKER)).map((i) => i.number);
  return mine.length ? Math.min(...mine) : null;
}

