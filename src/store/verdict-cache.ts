import type { Redis } from "ioredis";
import type { RedisKeys, RepoScope } from "./redis-keys.js";

/** The last verdict per SHA, so a deployment gate can reuse a fresh one instead of evaluating again. */
export interface CachedVerdict {
  readonly sha: string;
  readonly policyDigest: string;
  /** Every block invariant passes on this SHA (judged alone, persisting findings included). */
  readonly blockInvariantsPass: boolean;
  readonly conclusion: string;
  readonly at: number;
}

const TTL_SECONDS = 7 * 24 * 3600;

export function verdictCache(redis: Redis, keys: RedisKeys) {
  const key = (scope: RepoScope, sha: string) => `${keys.repo(scope)}:verdict:${sha}`;
  return {
    async remember(scope: RepoScope, v: CachedVerdict): Promise<void> {
      await redis.set(key(scope, v.sha), JSON.stringify(v), "EX", TTL_SECONDS);
    },
    /** Only a verdict under the same policy digest (and engine) and younger than `maxAgeMs` counts. */
    async fresh(scope: RepoScope, sha: string, policyDigest: string, now: number, maxAgeMs: number): Promise<CachedVerdict | null> {
      const raw = await redis.get(key(scope, sha));
      if (!raw) return null;
      try {
        const v = JSON.parse(raw) as CachedVerdict;
        return v.policyDigest === policyDigest && now - v.at <= maxAgeMs ? v : null;
      } catch {
        return null;
      }
    },
  };
}
export type VerdictCache = ReturnType<typeof verdictCache>;
