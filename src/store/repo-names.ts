import type { Redis } from "ioredis";
import type { RedisKeys, RepoScope } from "./redis-keys.js";

/**
 * Repository names → ids, for people: keys are by numeric id (names change), but a person types
 * `acme/widgets`. One hash for the whole prefix; fields `name:<owner/name>` (lowercased: GitHub
 * names are case-insensitive) and `id:<repoId>`, values `<installationId>:<repoId>`. The newest
 * writer wins, so a transferred repository (new installation) or a reused name follows GitHub.
 */

const nameField = (fullName: string) => `name:${fullName.toLowerCase()}`;
const idField = (repoId: number) => `id:${repoId}`;
const valueOf = (s: RepoScope) => `${s.installationId}:${s.repoId}`;

export async function rememberRepoName(redis: Redis, keys: RedisKeys, scope: RepoScope, fullName: string): Promise<void> {
  await redis.hset(keys.repoNames(), nameField(fullName), valueOf(scope), idField(scope.repoId), valueOf(scope));
}

/**
 * Finds a repository by `owner/name` or numeric id. With `installationId`, a bare id needs no
 * lookup (the pair is the scope) and a name must belong to that installation. Null: unknown here.
 */
export async function lookupRepo(redis: Redis, keys: RedisKeys, ref: string, installationId: number | null = null): Promise<RepoScope | null> {
  const trimmed = ref.trim();
  if (/^\d+$/.test(trimmed)) {
    const repoId = Number(trimmed);
    if (installationId !== null) return { installationId, repoId };
    return parseScope(await redis.hget(keys.repoNames(), idField(repoId)));
  }
  if (!/^[^/\s]+\/[^/\s]+$/.test(trimmed)) return null;
  const found = parseScope(await redis.hget(keys.repoNames(), nameField(trimmed)));
  if (found && installationId !== null && found.installationId !== installationId) return null;
  return found;
}

/** Drops every field of `hashKey` that points at `scope` (old names included). Uninstall only: it scans the hash. */
export async function forgetRepo(redis: Redis, hashKey: string, scope: RepoScope): Promise<number> {
  const target = valueOf(scope);
  let removed = 0;
  let cursor = "0";
  do {
    const [next, flat] = await redis.hscan(hashKey, cursor, "COUNT", 1000);
    cursor = next;
    const stale: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i + 1] === target) stale.push(flat[i]!);
    if (stale.length) removed += await redis.hdel(hashKey, ...stale);
  } while (cursor !== "0");
  return removed;
}

function parseScope(value: string | null): RepoScope | null {
  const m = value ? /^(\d+):(\d+)$/.exec(value) : null;
  return m ? { installationId: Number(m[1]), repoId: Number(m[2]) } : null;
}
