import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { deliveryState } from "../store/delivery-dedupe.js";
import type { RedisKeys } from "../store/redis-keys.js";
import { describeFailure } from "./github-read-error.js";
import { HANDLED_EVENTS } from "./webhook-app.js";

/**
 * GitHub never redelivers a webhook on its own, so a delivery answered 5xx (Redis down), never
 * answered (process killed, timeout) or accepted and then lost by Redis (the AOF `everysec`
 * window before a crash) would be lost for good. This maintenance job lists the app's recent
 * deliveries (app JWT) and asks GitHub to redeliver those, keeping the same delivery id, so
 * the dedupe still holds.
 */

/** GitHub lets an app redeliver a delivery for 3 days. */
export const REDELIVERY_WINDOW_MS = 3 * 24 * 3600_000;
/** Per delivery id: a delivery that fails this often is broken, not unlucky. */
export const MAX_REDELIVERIES = 3;
/** Pages of 100 deliveries read per run: bounds the run's requests (the app's JWT budget is 5,000/h). */
export const MAX_PAGES = 10;
/**
 * Deliveries answered 2xx this long before Redis last started may have been lost with the tail
 * of its AOF (`everysec` loses ~1 s; the margin covers clock skew between GitHub and Redis).
 */
export const RESTART_LOSS_WINDOW_MS = 30_000;

const HANDLED: ReadonlySet<string> = new Set(HANDLED_EVENTS);

interface DeliveryItem {
  readonly id: number;
  readonly guid: string;
  readonly delivered_at: string;
  readonly status_code: number;
  readonly event: string;
}

export interface RedeliverDeps {
  readonly probot: Probot;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly log: Logger;
  readonly now: () => Date;
  readonly maxRedeliveries?: number;
  readonly maxPages?: number;
}

export interface RedeliverResult {
  readonly pages: number;
  readonly scanned: number;
  /** Delivery ids (guids) whose redelivery GitHub accepted in this run. */
  readonly redelivered: readonly string[];
  /** Delivery ids that were due but have used up their redeliveries. */
  readonly exhausted: readonly string[];
}

export async function redeliverFailed(deps: RedeliverDeps): Promise<RedeliverResult> {
  const now = deps.now().getTime();
  const cutoff = now - REDELIVERY_WINDOW_MS;
  const octokit = await deps.probot.auth(); // no installation id: authenticated as the app (JWT)
  const { items, pages } = await listRecent(octokit, cutoff, deps.maxPages ?? MAX_PAGES);
  const redisStartedAt = now - (await redisUptimeMs(deps.redis));

  const byGuid = new Map<string, DeliveryItem[]>();
  for (const d of items) if (HANDLED.has(d.event)) byGuid.set(d.guid, [...(byGuid.get(d.guid) ?? []), d]);

  const redelivered: string[] = [];
  const exhausted: string[] = [];
  for (const [guid, attempts] of byGuid) {
    const newest = attempts.reduce((a, b) => (Date.parse(b.delivered_at) > Date.parse(a.delivered_at) ? b : a));
    const ok = attempts.some((a) => a.status_code >= 200 && a.status_code < 300);
    const failed = attempts.some((a) => a.status_code === 0 || a.status_code >= 500);
    const state = await deliveryState(deps.redis, deps.keys, guid, now);
    let due = false;
    if (!ok && failed) {
      // A 5xx or a timeout that was nevertheless enqueued (a slow answer) needs nothing.
      due = state !== "enqueued";
    } else if (ok && state !== "enqueued") {
      // Answered 2xx, yet Redis does not hold it as enqueued: lost in the AOF window before Redis
      // last started. Ignored events never claim, so only that window is looked at.
      const at = Date.parse(newest.delivered_at);
      due = at >= redisStartedAt - RESTART_LOSS_WINDOW_MS && at <= redisStartedAt + 1000;
    }
    if (!due) continue;
    const countKey = `${deps.keys.prefix}:redeliver:${guid}`;
    const count = await deps.redis.incr(countKey);
    await deps.redis.expire(countKey, Math.ceil((REDELIVERY_WINDOW_MS + 24 * 3600_000) / 1000));
    if (count > (deps.maxRedeliveries ?? MAX_REDELIVERIES)) {
      exhausted.push(guid);
      continue;
    }
    // A claim whose handler died would make the redelivery look like a duplicate.
    if (state === "claimed") await deps.redis.del(deps.keys.delivery(guid));
    try {
      await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: newest.id });
      redelivered.push(guid);
      deps.log.info({ deliveryId: guid, event: newest.event, attempt: count }, "redelivery requested");
    } catch (err) {
      deps.log.warn({ deliveryId: guid, reason: describeFailure(err).reason }, "redelivery request failed");
    }
  }
  if (exhausted.length) deps.log.warn({ deliveryIds: exhausted.slice(0, 20), count: exhausted.length }, "deliveries still failing after the maximum redeliveries");
  return { pages, scanned: items.length, redelivered, exhausted };
}

type AppOctokit = Awaited<ReturnType<Probot["auth"]>>;

/** Newest first, cursor-paginated; stops at the cutoff or after `maxPages`. */
async function listRecent(octokit: AppOctokit, cutoff: number, maxPages: number): Promise<{ items: DeliveryItem[]; pages: number }> {
  const items: DeliveryItem[] = [];
  let cursor: string | undefined;
  let pages = 0;
  while (pages < maxPages) {
    const res = await octokit.request("GET /app/hook/deliveries", { per_page: 100, ...(cursor ? { cursor } : {}) });
    pages++;
    const page = res.data as unknown as DeliveryItem[];
    for (const d of page) if (Date.parse(d.delivered_at) >= cutoff) items.push(d);
    const oldest = page[page.length - 1];
    if (!oldest || Date.parse(oldest.delivered_at) < cutoff) break;
    cursor = /[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(String(res.headers.link ?? ""))?.[1];
    if (!cursor) break;
  }
  return { items, pages };
}

async function redisUptimeMs(redis: Redis): Promise<number> {
  const info = await redis.info("server");
  const seconds = Number(/^uptime_in_seconds:(\d+)/m.exec(info)?.[1]);
  return Number.isFinite(seconds) ? seconds * 1000 : Number.MAX_SAFE_INTEGER;
}
