import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/**
 * Every load run gets its own Redis key prefix (queues, caches, dedupe keys), so a cold run
 * really starts cold and nothing is left behind: the prefix is deleted when the run ends.
 */

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export const freshPrefix = (tag: string): string => `plbench-${tag}-${randomBytes(4).toString("hex")}`;

export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<number> {
  const r = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, found] = await r.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (found.length) deleted += await r.unlink(...found);
    } while (cursor !== "0");
  } finally {
    r.disconnect();
  }
  return deleted;
}
