import type { Redis } from "ioredis";
import type { RedisKeys, RepoScope } from "../store/redis-keys.js";
import { checkJobSchema, type CheckJob } from "./check-job.js";

/**
 * GitHub sends `check_suite.requested` a moment after the push, for the same SHA. Within the
 * debounce it replaces the push's job (newest wins per branch), and with it the push's facts:
 * `before` (the base a push is judged against) and the commits whose authors and trailers
 * classify the actor. The first delivery of each pending SHA is kept (webhook-app.ts), so a job
 * takes back what it lacks from it: a check_suite must not judge an agent's push as a human's.
 */
export async function withPushFacts(redis: Redis, keys: RedisKeys, scope: RepoScope, job: CheckJob): Promise<CheckJob> {
  if (!job.branch || !job.sha) return job;
  const raw = await redis.hget(keys.pendingJobs(scope, job.branch), job.sha);
  if (!raw) return job;
  let parsed;
  try {
    parsed = checkJobSchema.safeParse(JSON.parse(raw));
  } catch {
    return job;
  }
  if (!parsed.success || parsed.data.sha !== job.sha || parsed.data.repoId !== job.repoId) return job;
  return mergePushFacts(job, parsed.data);
}

/** `job` with what it lacks taken from `first` (pure). */
export function mergePushFacts(job: CheckJob, first: CheckJob): CheckJob {
  const a = job.actor;
  const b = first.actor;
  const sender = a.sender ?? b.sender;
  const prAuthor = a.prAuthor ?? b.prAuthor;
  const branch = a.branch ?? b.branch;
  const commits = a.commits?.length ? a.commits : b.commits;
  return {
    ...job,
    before: job.before ?? first.before,
    actor: { ...(sender !== undefined ? { sender } : {}), ...(prAuthor !== undefined ? { prAuthor } : {}), ...(branch !== undefined ? { branch } : {}), ...(commits ? { commits } : {}) },
  };
}
