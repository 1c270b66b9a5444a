import { Queue, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { installationClient } from "../github/github-client.js";
import { CHECK_RUN_NAME } from "../github/publish-check-run.js";
import { renderCheckRun } from "../github/render-check-run.js";
import type { Probot } from "probot";
import type { RedisKeys } from "../store/redis-keys.js";
import { TRIGGERS } from "./check-job.js";
import { fairPriority } from "./fair-priority.js";
import { externalIdOf } from "./run-identity.js";
import { isReconcileNotice } from "./stand-in-runs.js";
import { publishRunExclusively } from "./run-write-lock.js";

/**
 * A SHA that never ran because a newer push to its branch replaced its job still gets a
 * concluded run naming its successor. Those runs are written here, on their own queue, not in
 * the evaluation that superseded them: each is a GitHub write, GitHub asks for one write per
 * second per installation, and a burst of pushes leaves dozens per branch. Written inline they
 * held evaluation slots for minutes (the soak: 8 slots busy posting `cancelled` while 47 newest
 * pushes waited). Here they drain beside the evaluations, fair across installations.
 */
export const NOTICE_QUEUE = "plumbline-notices";
/** Notices in flight per worker process: several installations' writes proceed at once. */
export const NOTICE_CONCURRENCY = 8;

export const supersedeNoticeSchema = z.strictObject({
  installationId: z.number().int().positive(),
  repoId: z.number().int().positive(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  branch: z.string().min(1),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  successor: z.string().regex(/^[0-9a-f]{40}$/),
  trigger: z.enum(TRIGGERS),
});
export type SupersedeNotice = z.infer<typeof supersedeNoticeSchema>;

export function createNoticeQueue(connection: ConnectionOptions, prefix: string): Queue<SupersedeNotice> {
  return new Queue<SupersedeNotice>(NOTICE_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: "exponential", delay: 2000 },
      // Kept an hour: a later evaluation of the branch that lists the same SHA adds nothing.
      removeOnComplete: { age: 3600, count: 50_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    },
  });
}

export async function enqueueNotice(queue: Queue<SupersedeNotice>, notice: SupersedeNotice, share: { redis: Redis; keys: RedisKeys }): Promise<void> {
  const priority = await fairPriority(share.redis, share.keys, notice.installationId, Date.now());
  await queue.add("superseded", notice, { jobId: `sup-r${notice.repoId}-${notice.sha}`, priority });
}

export interface NoticeDeps {
  readonly probot: Probot;
  readonly redis: Redis;
  readonly keys: RedisKeys;
}

/**
 * Posts the superseded run, then forgets the pending SHA. It replaces only the reconciler's
 * stand-in: never a verdict the SHA already has, and not an earlier superseded run either (it
 * names an older successor, which is still true: a second write would buy nothing).
 */
export async function processNotice(raw: unknown, deps: NoticeDeps): Promise<void> {
  const n = supersedeNoticeSchema.parse(raw);
  const client = await installationClient(deps.probot, n.installationId);
  const rendered = renderCheckRun({ outcome: { type: "no-policy", policyFrom: n.sha }, headSha: n.sha, trigger: n.trigger, supersededBy: n.successor });
  const scope = { installationId: n.installationId, repoId: n.repoId };
  await publishRunExclusively(deps, scope, client, { owner: n.owner, repo: n.repo, headSha: n.sha, name: CHECK_RUN_NAME, externalId: externalIdOf(n.repoId, n.sha), status: "completed", rendered, replaceCompleted: (run) => isReconcileNotice(run.summary) });
  await deps.redis.multi().zrem(deps.keys.pendingShas(scope, n.branch), n.sha).hdel(deps.keys.pendingJobs(scope, n.branch), n.sha).exec();
}
