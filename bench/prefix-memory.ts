import type { Redis } from "ioredis";

/**
 * What one run left in Redis under its prefix, by `MEMORY USAGE` of every key (the shared
 * Redis's `used_memory` would include everyone else's), grouped by what the keys hold.
 */

export const KEY_GROUPS = ["blobs", "records", "ledger", "history", "queue", "other"] as const;
export type KeyGroup = (typeof KEY_GROUPS)[number];

export interface PrefixMemory {
  readonly keys: number;
  readonly bytes: number;
  readonly groups: Readonly<Record<KeyGroup, { keys: number; bytes: number }>>;
}

export function keyGroup(prefix: string, key: string): KeyGroup {
  const rest = key.slice(prefix.length + 1);
  if (rest.startsWith("plumbline-")) return "queue"; // BullMQ: `<prefix>:<queue name>:…`
  if (/:blob:/.test(rest)) return "blobs";
  if (/:rec:/.test(rest)) return "records";
  if (/:ledger(:|$)/.test(rest) || rest.startsWith("ledger:")) return "ledger";
  if (/:history$/.test(rest)) return "history";
  return "other";
}

const BATCH = 1000;

export async function prefixMemory(redis: Redis, prefix: string): Promise<PrefixMemory> {
  const groups = Object.fromEntries(KEY_GROUPS.map((g) => [g, { keys: 0, bytes: 0 }])) as Record<KeyGroup, { keys: number; bytes: number }>;
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", BATCH);
    cursor = next;
    if (found.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of found) pipeline.call("MEMORY", "USAGE", key);
    const sizes = (await pipeline.exec()) ?? [];
    found.forEach((key, i) => {
      const [err, size] = sizes[i] ?? [null, null];
      // A key that expired between SCAN and MEMORY USAGE answers nil.
      if (err || typeof size !== "number") return;
      const g = groups[keyGroup(prefix, key)];
      g.keys++;
      g.bytes += size;
    });
  } while (cursor !== "0");
  const all = Object.values(groups);
  return { keys: all.reduce((n, g) => n + g.keys, 0), bytes: all.reduce((n, g) => n + g.bytes, 0), groups };
}
