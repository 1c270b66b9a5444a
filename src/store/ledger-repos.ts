import type { Redis } from "ioredis";
import type { RedisKeys, RepoScope } from "./redis-keys.js";

/**
 * Finds a repository's ledger from what a person types: a numeric id or `owner/name`.
 * Keys are by installation + repository id, so both need the index the append script writes
 * (`id:<repoId>` and `name:<owner/name>` → `<installationId>:<repoId>`, last append wins: after
 * a rename or transfer the newest name and installation are the ones found). A numeric id the
 * index lacks is still found exactly by its key (one SCAN); a name never guesses.
 */

export type RepoLookup = { ok: true; scope: RepoScope; via: "installation" | "index" | "scan" } | { ok: false; reason: string };

export async function resolveLedgerRepo(redis: Redis, keys: RedisKeys, repo: string, installationId: number | null): Promise<RepoLookup> {
  const spec = repo.trim();
  if (/^\d+$/.test(spec)) {
    const repoId = Number(spec);
    if (!Number.isSafeInteger(repoId) || repoId <= 0) return { ok: false, reason: `not a repository id: ${spec}` };
    if (installationId !== null) return { ok: true, scope: { installationId, repoId }, via: "installation" };
    const indexed = parseScope(await redis.hget(keys.ledgerRepos(), `id:${repoId}`));
    if (indexed) return { ok: true, scope: indexed, via: "index" };
    const found = await scanForRepo(redis, keys, repoId);
    if (found.length === 1) return { ok: true, scope: found[0]!, via: "scan" };
    if (found.length > 1) return { ok: false, reason: `repository ${repoId} has ledgers under installations ${found.map((s) => s.installationId).join(", ")}; pass --installation` };
    return { ok: false, reason: `no ledger for repository ${repoId}` };
  }
  if (!/^[\w.-]+\/[\w.-]+$/.test(spec)) return { ok: false, reason: `--repo takes a numeric repository id or owner/name, got \`${spec}\`` };
  const scope = parseScope(await redis.hget(keys.ledgerRepos(), `name:${spec.toLowerCase()}`));
  if (!scope) return { ok: false, reason: `no ledger is known under the name ${spec} (names are recorded when entries are appended); pass the numeric repository id` };
  if (installationId !== null && scope.installationId !== installationId) {
    return { ok: false, reason: `${spec} was last recorded under installation ${scope.installationId}, not ${installationId}; pass the numeric repository id with --installation ${installationId}` };
  }
  return { ok: true, scope, via: "index" };
}

function parseScope(value: string | null): RepoScope | null {
  const m = value === null ? null : /^(\d+):(\d+)$/.exec(value);
  return m ? { installationId: Number(m[1]), repoId: Number(m[2]) } : null;
}

async function scanForRepo(redis: Redis, keys: RedisKeys, repoId: number): Promise<RepoScope[]> {
  const found: RepoScope[] = [];
  // The candidate is confirmed by rebuilding its key, so the layout stays defined in redis-keys only.
  const pattern = `${keys.prefix.replace(/[*?[\]\\]/g, "\\$&")}:i*:r${repoId}:ledger`;
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    for (const k of batch) {
      const installationId = Number(/:i(\d+):r\d+:ledger$/.exec(k)?.[1]);
      if (Number.isSafeInteger(installationId) && keys.ledger({ installationId, repoId }) === k) found.push({ installationId, repoId });
    }
    cursor = next;
  } while (cursor !== "0");
  return found;
}
