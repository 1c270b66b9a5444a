import { AUDIT_PRIORITY } from "./fair-priority.js";
import type { Queue } from "bullmq";
import type { RepoScope } from "../store/redis-keys.js";
import type { CheckJob } from "./check-job.js";

/**
 * One BullMQ job scheduler per repository re-audits its default branch every
 * `settings.auditInterval` (DESIGN §4). `upsertJobScheduler` with a deterministic id makes it
 * idempotent across restarts and workers; the legacy `repeat` job option would be silently
 * ignored by BullMQ 6 (FACTS), so it is never used.
 */

export interface AuditTarget extends RepoScope {
  /** Names at scheduling time; the worker re-reads them from the repository id (renames). */
  readonly owner: string;
  readonly repo: string;
}

/** Scheduler ids may contain neither `:` nor only digits (BullMQ); this one is stable per repository. */
export function auditSchedulerId(scope: RepoScope): string {
  return `audit-i${scope.installationId}-r${scope.repoId}`;
}

/**
 * The job every tick produces: a default-branch audit (`sha: null` = the branch's tip when the
 * job runs, `branch: null` so no newest-wins key collides with pushes). Identical on every
 * tick, so `enqueuedAt` is 0: the worker reads the job's own timestamp when it needs one.
 */
export function auditJobOf(target: AuditTarget): CheckJob {
  return {
    installationId: target.installationId,
    repoId: target.repoId,
    owner: target.owner,
    repo: target.repo,
    sha: null,
    branch: null,
    trigger: "schedule",
    deliveryId: auditSchedulerId(target),
    before: null,
    prNumber: null,
    baseSha: null,
    defaultBranch: null,
    actor: {},
    enqueuedAt: 0,
  };
}

export type EnsureResult = "created" | "updated" | "unchanged";

/**
 * Creates or updates the repository's audit scheduler. Calling it with what is already there
 * changes nothing (no new job, no reset of the next tick), so the worker may call it after
 * every default-branch evaluation to follow changes of `settings.auditInterval`.
 */
export async function ensureAuditSchedule(queue: Queue<CheckJob>, target: AuditTarget, everyMs: number): Promise<EnsureResult> {
  if (!Number.isInteger(everyMs) || everyMs <= 0) throw new RangeError(`audit interval must be a positive number of milliseconds, got ${everyMs}`);
  const id = auditSchedulerId(target);
  const data = auditJobOf(target);
  const existing = await queue.getJobScheduler(id);
  // A scheduler from before audits had a priority is updated too (see AUDIT_PRIORITY).
  if (existing && existing.every === everyMs && sameData(existing.template?.data, data) && existing.template?.opts?.priority === AUDIT_PRIORITY) return "unchanged";
  // The first tick one interval from now, not at once (BullMQ's default for `every`): the
  // evaluation that calls this has just judged the tip. An immediate tick was a second
  // evaluation and a second check-run write, and the write queued behind it the next push's
  // conclusion (GitHub allows an installation one write a second): the soak traced a quiet
  // push waiting 0.7 s so. A changed interval also counts from now; an unchanged one keeps its slot.
  await queue.upsertJobScheduler(id, { every: everyMs, startDate: Date.now() + everyMs }, {
    name: data.trigger,
    data,
    // Bounded bookkeeping: one audit per interval per repository adds up over months.
    opts: { priority: AUDIT_PRIORITY, attempts: 2, backoff: { type: "exponential", delay: 5000 }, removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } },
  });
  return existing ? "updated" : "created";
}

/**
 * Uninstall (or a repository removed from the installation): stops its audits. BullMQ removes
 * the scheduler's next *delayed* job only; a tick that fell due and still waits (waiting, or
 * ranked by priority) is removed here too. A tick already running is
 * left to finish: it fails on the revoked installation and is not retried forever.
 */
export async function removeAuditSchedule(queue: Queue<CheckJob>, scope: RepoScope): Promise<boolean> {
  const id = auditSchedulerId(scope);
  const scheduler = await queue.getJobScheduler(id);
  const removed = await queue.removeJobScheduler(id);
  if (scheduler?.next !== undefined) {
    // BullMQ names a scheduler's jobs `repeat:<schedulerId>:<millis>`; repeatJobKey confirms it is ours.
    const job = await queue.getJob(`repeat:${id}:${scheduler.next}`);
    // A tick with a priority waits in the "prioritized" set, not in "wait".
    if (job && job.repeatJobKey === id && ["waiting", "prioritized", "delayed"].includes(await job.getState())) await job.remove();
  }
  return removed;
}

function sameData(stored: unknown, wanted: CheckJob): boolean {
  // Both sides come from JSON.stringify of the same builder, so key order matches.
  return stored !== undefined && JSON.stringify(stored) === JSON.stringify(wanted);
}
