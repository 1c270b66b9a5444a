import type { Redis } from "ioredis";
import { CHECK_RUN_NAME, publishCheckRun, type PublishCheckRunArgs, type PublishedCheckRun } from "../github/publish-check-run.js";
import type { GitHubClient } from "../github/github-client.js";
import type { RedisKeys, RepoScope } from "../store/redis-keys.js";
import { withRedisLock } from "../store/redis-lock.js";

/** A holder that died frees the lock after this long; a live one keeps extending it. */
export const RUN_LOCK_TTL_MS = 30_000;
/** Longer than the TTL, so a waiter outlasts a dead holder instead of failing its job. */
export const RUN_LOCK_WAIT_MS = 45_000;

/**
 * publishCheckRun, one writer at a time per (repository, SHA, run name), across processes.
 * publishCheckRun finds the run by external id and creates it when there is none; two writers
 * of one SHA (its evaluation, a superseded notice queued by a newer push's conclusion just
 * before the evaluation picked the SHA up, the reconciler's stand-in) could both find none and
 * both create: the soak saw 1 SHA in 6,000 with two runs. Under the lock the second writer
 * finds the first one's run and updates it (or, as a notice, leaves a verdict alone).
 */
export function publishRunExclusively(deps: { readonly redis: Redis; readonly keys: RedisKeys }, scope: RepoScope, client: GitHubClient, args: PublishCheckRunArgs): Promise<PublishedCheckRun> {
  const name = args.name ?? CHECK_RUN_NAME;
  const lock = { ttlMs: RUN_LOCK_TTL_MS, waitMs: RUN_LOCK_WAIT_MS, what: `the "${name}" run of ${args.owner}/${args.repo}@${args.headSha.slice(0, 12)}` };
  return withRedisLock(deps.redis, deps.keys.runLock(scope, args.headSha, name), lock, () => publishCheckRun(client, args));
}
