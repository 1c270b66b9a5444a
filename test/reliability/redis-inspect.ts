import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { CHECK_QUEUE } from "../../src/queue/check-queue.js";

/** Read-only views of what Plumbline left in Redis under one prefix. */

export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    out.push(...found);
  } while (cursor !== "0");
  return out;
}

export type JobCounts = Record<"waiting" | "active" | "delayed" | "completed" | "failed" | "prioritized" | "waiting-children", number>;

/** BullMQ's own counts for the check queue under `prefix` (what was accepted, in any state). */
export async function checkQueueCounts(redisUrl: string, prefix: string): Promise<JobCounts & { total: number }> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const queue = new Queue(CHECK_QUEUE, { connection, prefix });
  try {
    const c = (await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed", "prioritized", "waiting-children")) as JobCounts;
    return { ...c, total: Object.values(c).reduce((a, b) => a + b, 0) };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** Data of every check job still stored (any state), read straight from the job hashes. */
export async function checkJobPayloads(redis: Redis, prefix: string): Promise<Array<{ key: string; data: Record<string, unknown> }>> {
  const keys = (await scanKeys(redis, `${prefix}:${CHECK_QUEUE}:*`)).filter((k) => /:\d+$/.test(k));
  const out = [];
  for (const key of keys) {
    if ((await redis.type(key)) !== "hash") continue;
    const data = await redis.hget(key, "data");
    if (data) out.push({ key, data: JSON.parse(data) as Record<string, unknown> });
  }
  return out;
}

/** Every value under the prefix as text (strings, hash fields and values, list/set/zset members, stream fields). */
export async function allValues(redis: Redis, prefix: string): Promise<Array<{ key: string; text: string }>> {
  const out: Array<{ key: string; text: string }> = [];
  for (const key of await scanKeys(redis, `${prefix}:*`)) {
    const type = await redis.type(key);
    let parts: Buffer[] = [];
    if (type === "string") parts = [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
    else if (type === "hash") parts = await redis.hgetallBuffer(key).then((h) => Object.entries(h).flatMap(([k, v]) => [Buffer.from(k), v]));
    else if (type === "list") parts = await redis.lrangeBuffer(key, 0, -1);
    else if (type === "set") parts = await redis.smembersBuffer(key);
    else if (type === "zset") parts = await redis.zrangeBuffer(key, 0, -1);
    else if (type === "stream") {
      const entries = (await redis.xrange(key, "-", "+")) as Array<[string, string[]]>;
      parts = entries.flatMap(([, fields]) => fields.map((f) => Buffer.from(f)));
    }
    out.push({ key, text: [key, ...parts.map((p) => p.toString("latin1"))].join("\n") });
  }
  return out;
}

export async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    const keys = await scanKeys(r, `${prefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await r.del(...keys.slice(i, i + 500));
  } catch {
    // An own redis-server may already be gone.
  } finally {
    r.disconnect();
  }
}

/** A one-screen account of the check queue (states, dedupe keys) for a failing test's output. */
export async function describeCheckQueue(redis: Redis, prefix: string): Promise<string> {
  const base = `${prefix}:${CHECK_QUEUE}`;
  const lines: string[] = [];
  const label = async (id: string) => {
    const [data, reason, stc, atm] = await redis.hmget(`${base}:${id}`, "data", "failedReason", "stc", "atm");
    const d = data ? (JSON.parse(data) as { sha?: string; branch?: string; trigger?: string }) : {};
    return `${id}:${d.trigger}:${d.branch}@${d.sha?.slice(0, 7)}${reason ? `(failed: ${reason.slice(0, 80)})` : ""}${stc ? ` stalled×${stc}` : ""}${atm ? ` attempts=${atm}` : ""}`;
  };
  for (const [state, kind] of [["wait", "list"], ["prioritized", "zset"], ["active", "list"], ["delayed", "zset"], ["failed", "zset"], ["completed", "zset"]] as const) {
    const ids = kind === "list" ? await redis.lrange(`${base}:${state}`, 0, -1) : await redis.zrange(`${base}:${state}`, 0, -1);
    lines.push(`${state} (${ids.length}): ${(await Promise.all(ids.slice(-15).map(label))).join(", ")}`);
  }
  for (const key of await scanKeys(redis, `${base}:de:*`)) lines.push(`dedupe ${key.slice(base.length + 4)} → job ${await redis.get(key)} (ttl ${await redis.pttl(key)})`);
  for (const key of await scanKeys(redis, `${base}:dn:*`)) {
    const data = await redis.hget(key, "data");
    lines.push(`dedupe-next ${key.slice(base.length + 4)} → ${data ? (JSON.parse(data) as { sha: string }).sha.slice(0, 7) : "?"}`);
  }
  for (const key of await scanKeys(redis, `${prefix}:i*:pending:*`)) lines.push(`pending ${key.split(":").slice(-1)[0]}: ${(await redis.zrange(key, 0, -1, "WITHSCORES")).join(" ")}`);
  lines.push(`inflight: ${(await redis.zrange(`${prefix}:inflight`, 0, -1)).map((m) => (JSON.parse(m) as { sha: string }).sha.slice(0, 7)).join(", ")}`);
  return lines.join("\n");
}
