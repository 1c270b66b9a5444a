import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { checkRevision, type CheckOutcome } from "../check/check-revision.js";
import type { ActorSignals } from "../core/actor.js";
import { installationClient, rateLimitResetOf, type GitHubClient } from "../github/github-client.js";
import { githubFileSource, type GitHubFileSource } from "../github/github-file-source.js";
import { describeFailure } from "../github/github-read-error.js";
import { SnapshotLimitError } from "../snapshot/build-snapshot.js";
import { CHECK_RUN_NAME, contentKeyOf, findOwnRun, type ExistingRun } from "../github/publish-check-run.js";
import { publishRunExclusively } from "./run-write-lock.js";
import { isReconcileNotice } from "./stand-in-runs.js";
import { withPushFacts } from "./push-facts.js";
import { renderCheckRun } from "../github/render-check-run.js";
import type { BlobCache } from "../store/blob-cache.js";
import type { RedisKeys, RepoScope } from "../store/redis-keys.js";
import { loadRecordCache } from "../store/redis-record-cache.js";
import { resolveCheckContext } from "./check-context.js";
import type { Queue } from "bullmq";
import { checkJobSchema, type CheckJob } from "./check-job.js";
import { enqueueCheck } from "./check-queue.js";
import { recordEvaluation } from "./record-evaluation.js";
import { entryWithoutVerdict, type LedgerKey } from "../core/ledger.js";
import { appendEntry, appendVerdict } from "../store/ledger-store.js";
import { runAudit } from "./run-audit.js";
import { blockInvariantsPass } from "./process-deploy-job.js";
import type { VerdictCache } from "../store/verdict-cache.js";
import { deferInProgress, IN_PROGRESS_AFTER_MS } from "./deferred-in-progress.js";
import { externalIdOf } from "./run-identity.js";
import { pickUpForEvaluation } from "./pick-up.js";
import { enqueueNotice, type SupersedeNotice } from "./supersede-notice.js";
import type { WorkerMemo } from "./worker-memo.js";

export interface WorkerDeps {
  readonly probot: Probot;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly blobCache: BlobCache | null;
  readonly log: Logger;
  readonly now: () => Date;
  readonly runDeadlineSeconds: number;
  /** Where verdicts are remembered for the deployment gate (optional: tests may leave it out). */
  readonly verdicts?: VerdictCache;
  /** Signs provenance ledger entries; null: no ledger (tests of other layers). */
  readonly ledgerKey?: LedgerKey | null;
  /** Where superseded SHAs' runs are queued (see supersede-notice.ts). */
  readonly noticeQueue: Queue<SupersedeNotice>;
  /** Post `in_progress` only once an evaluation has taken this long (0: at pickup). See deferInProgress. */
  readonly inProgressAfterMs?: number;
  /** Listings, snapshots and records kept from job to job by this worker (worker-memo.ts); content-keyed, per repository. */
  readonly memo: WorkerMemo;
  /** The check queue, for audit schedules and agent-branch audits (optional: tests may leave it out). */
  readonly checkQueue?: Queue<CheckJob> | null;
}

export interface JobResult {
  readonly sha: string;
  readonly conclusion: string;
  /** Null for a superseded job: its run is written by the notice queue. */
  readonly checkRunId: number | null;
  readonly supersededBy: string | null;
  readonly requests: number;
  readonly outcome: CheckOutcome | null;
}

export { externalIdOf };

/**
 * Evaluates one job end to end. Idempotent: a retried or redelivered job updates the same run.
 * On its last attempt a failure concludes the run as failure with the reason (fail closed);
 * earlier failures throw so BullMQ retries with backoff.
 */
export async function processCheckJob(raw: unknown, deps: WorkerDeps, attempt: { final: boolean }): Promise<JobResult> {
  // Wall time per phase, logged with the conclusion: where a slow run spent its time.
  const phases: Record<string, number> = {};
  let lapStart = Date.now();
  const lap = (name: string) => {
    const t = Date.now();
    phases[name] = (phases[name] ?? 0) + t - lapStart;
    lapStart = t;
  };
  const arrived = checkJobSchema.parse(raw);
  const scope: RepoScope = { installationId: arrived.installationId, repoId: arrived.repoId };
  const job = await withPushFacts(deps.redis, deps.keys, scope, arrived);
  const client = await installationClient(deps.probot, job.installationId);
  // Names can change (rename, transfer); the numeric id cannot.
  const repoInfo = (await client.request("GET /repositories/{repository_id}", { repository_id: job.repoId })).data as { name: string; owner: { login: string }; default_branch: string };
  const owner = repoInfo.owner.login;
  const repo = repoInfo.name;
  const defaultBranch = repoInfo.default_branch;
  const sha = job.sha ?? (await client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `heads/${defaultBranch}` })).data.object.sha;
  const publishArgs = { owner, repo, headSha: sha, name: CHECK_RUN_NAME, externalId: externalIdOf(job.repoId, sha) };

  lap("repo");
  const successor = await newerTip(client, job, owner, repo, sha);
  lap("tip");
  if (successor) {
    // Written by the notice queue like every superseded SHA: one writer per SHA, and this slot is free at once.
    if (job.branch) await enqueueNotice(deps.noticeQueue, { installationId: job.installationId, repoId: job.repoId, owner, repo, branch: job.branch, sha, successor, trigger: job.trigger }, deps);
    await settle(deps, scope, job, owner, repo, sha, false);
    await handOver(deps, scope, job, successor);
    return { sha, conclusion: "cancelled", checkRunId: null, supersededBy: successor, requests: 0, outcome: null };
  }

  // GitHub's check_suite.requested after a push that was already judged asks for nothing new;
  // nor does a hand-over that raced the SHA's own evaluation (it saw the SHA still pending in
  // the moment between its job starting and its pickup; the soak caught 1 SHA in 2,000 judged twice).
  if ((job.trigger === "check_suite" || job.handedOver) && !job.rerun) {
    const existing = await findOwnRun(client, publishArgs);
    if (existing?.status === "completed" && !isReconcileNotice(existing.summary)) {
      await settle(deps, scope, job, owner, repo, sha, false);
      return { sha, conclusion: existing.conclusion ?? "unknown", checkRunId: existing.id, supersededBy: null, requests: 0, outcome: null };
    }
  }
  // The post goes through a client of its own (made only when the post falls due): on `client` it would wait for itself.
  const postInProgress = async () => publishRunExclusively(deps, scope, await installationClient(deps.probot, job.installationId), { ...publishArgs, status: "in_progress" });
  const progress = await deferInProgress(client, postInProgress, deps.inProgressAfterMs ?? IN_PROGRESS_AFTER_MS);
  const deadline = deps.now().getTime() + deps.runDeadlineSeconds * 1000;
  const inflightMember = JSON.stringify({ job, owner, repo, sha });
  // In flight and no longer pending, at once: a newer push concluding meanwhile must not post
  // "superseded" over this evaluation (two writers, two runs on one SHA), and a crash from here
  // on is the reconciler's.
  if (!(await pickUpForEvaluation(deps.redis, deps.keys, scope, job, sha, deadline, inflightMember))) {
    // Another delivery's evaluation of this SHA is running and will write its run (pick-up.ts).
    const startedId = await progress.settle();
    await settle(deps, scope, job, owner, repo, sha, false);
    deps.log.info({ repoId: job.repoId, sha, deliveryId: job.deliveryId }, "evaluation of this SHA already in flight; left to it");
    return { sha, conclusion: "in-flight-elsewhere", checkRunId: startedId, supersededBy: null, requests: 0, outcome: null };
  }

  let outcome: CheckOutcome | null = null;
  let error: string | null = null;
  let loop: string | null = null;
  let baseSha: string | null = null;
  const sources: GitHubFileSource[] = [];
  try {
    const ctx = await resolveCheckContext(client, job, owner, repo, sha, defaultBranch);
    lap("context");
    baseSha = ctx.baseSha;
    // This worker's listings, snapshots and records of the repository from earlier jobs (all content-keyed).
    const memo = deps.memo.forRepo(scope);
    const source = (s: string) => {
      const src = githubFileSource({ client, owner, repo, sha: s, scope, trees: memo.trees, ...(deps.blobCache ? { blobCache: deps.blobCache } : {}) });
      sources.push(src);
      return src;
    };
    const head = source(sha);
    const base = ctx.baseSha ? source(ctx.baseSha) : null;
    const policy = ctx.policySha === sha ? head : ctx.policySha === ctx.baseSha ? base : source(ctx.policySha);
    const headFiles = await head.listFiles();
    lap("tree");
    const records = await loadRecordCache(deps.redis, deps.keys, scope, headFiles.flatMap((e) => (e.blobSha ? [e.blobSha] : [])), { memory: memo.records });
    lap("records");
    const actor: ActorSignals = {
      sender: job.actor.sender ?? null,
      prAuthor: ctx.prAuthor ?? job.actor.prAuthor ?? null,
      branch: job.actor.branch ?? job.branch,
      commits: [...(job.actor.commits ?? []), ...ctx.extraCommits],
    };
    outcome = await checkRevision({ head, base, policy, actor: job.trigger === "installation" ? null : actor, now: deps.now(), cache: records, memo: memo.check, ...(ctx.blockPersisting !== undefined ? { blockPersisting: ctx.blockPersisting } : {}) });
    lap("check");
    await records.flush().catch((err) => deps.log.warn({ err: (err as Error).message }, "record cache flush failed"));
    if (outcome.type === "verdict") {
      if (deps.verdicts) await deps.verdicts.remember(scope, { sha, policyDigest: outcome.policy.digest, blockInvariantsPass: blockInvariantsPass(outcome.verdict), conclusion: outcome.verdict.conclusion, at: deps.now().getTime() });
      const paths = (await head.listFiles()).map((e) => e.path);
      ({ loop } = await recordEvaluation({ redis: deps.redis, keys: deps.keys, checkQueue: deps.checkQueue ?? null }, { scope, owner, repo, sha, job, defaultBranch, paths, now: deps.now() }, outcome));
    }
    lap("history");
  } catch (err) {
    const resetAt = rateLimitResetOf(err);
    if (resetAt !== null) {
      // Not a verdict: the job waits for the reset (start-workers.ts). Undo the pickup so the
      // SHA is pending again (a newer push replacing the waiting job concludes it as superseded).
      await progress.settle();
      const undo = deps.redis.multi().zrem(deps.keys.inflight(), inflightMember);
      if (job.branch) undo.zadd(deps.keys.pendingShas(scope, job.branch), job.enqueuedAt, sha).hsetnx(deps.keys.pendingJobs(scope, job.branch), sha, JSON.stringify(job));
      await undo.exec();
      throw err;
    }
    const failure = describeFailure(err);
    // A cap (10⁶ tree entries) fails the same way every time: retrying cost 3 more full listings.
    if (!attempt.final && !(err instanceof SnapshotLimitError)) {
      await progress.settle();
      deps.log.warn({ repoId: job.repoId, sha, reason: failure.reason }, "evaluation failed; will retry");
      throw err;
    }
    error = failure.reason;
  }
  const renderInput = { outcome: outcome ?? { type: "no-policy" as const, policyFrom: sha }, headSha: sha, trigger: job.trigger, error, loop };
  let rendered = renderCheckRun(renderInput);
  // An evaluation that finds what the run already says leaves it alone, unless someone asked
  // for it again: a scheduled audit, or the check_suite GitHub sends after the push that was
  // already judged, costs no write (the ledger still records it; the run keeps the anchor of
  // the entry that produced its content).
  // A scheduled audit judges the tip alone, so its wording differs from the push's (persisting,
  // not introduced): it rewrites the run only when the conclusion changed (an expired waiver).
  const unchanged = {
    contentKey: contentKeyOf(rendered),
    skipIfUnchanged: !job.rerun,
    ...(job.trigger === "schedule" ? { keepCompleted: (run: ExistingRun) => run.conclusion === rendered.conclusion && !isReconcileNotice(run.summary) } : {}),
  };
  const startedId = await progress.settle();
  lap("in_progress");
  if (deps.ledgerKey) {
    // The entry binds the run id and its conclusion; the run then prints the entry and chain
    // head, so GitHub holds an anchor outside Redis.
    const meta = {
      at: deps.now(),
      deliveryId: job.deliveryId,
      trigger: job.trigger,
      ...scope,
      repoName: `${owner}/${repo}`,
      ref: job.branch ? `refs/heads/${job.branch}` : null,
      headSha: sha,
      baseSha,
      policyFiles: outcome?.type === "verdict" ? outcome.policy.files : null,
      checkRun: { id: startedId, externalId: publishArgs.externalId, conclusion: rendered.conclusion },
      timings: outcome?.type === "verdict" ? outcome.timings : {},
    };
    const ledger =
      outcome?.type === "verdict" && !error
        ? await appendVerdict(deps.redis, deps.keys, scope, outcome.verdict, meta, deps.ledgerKey)
        : await appendEntry(deps.redis, deps.keys, scope, entryWithoutVerdict(error || !outcome ? "error" : outcome.type === "verdict" ? "error" : outcome.type, meta), deps.ledgerKey).then((r) => ({ entryId: r.streamId, anchor: `${r.seq}:${r.hash}` }));
    rendered = renderCheckRun({ ...renderInput, ledger: { entryId: ledger.entryId, headHash: ledger.anchor } });
  }
  lap("ledger");
  const run = await publishRunExclusively(deps, scope, client, { ...publishArgs, status: "completed", rendered, actions: true, ...unchanged });
  lap("publish");
  await deps.redis.zrem(deps.keys.inflight(), inflightMember);
  if (job.branch === null && (job.trigger === "schedule" || job.trigger === "installation")) {
    const policy = outcome?.type === "verdict" ? outcome.policy : null;
    await runAudit({ redis: deps.redis, keys: deps.keys, checkQueue: deps.checkQueue ?? null }, client, { scope, owner, repo, sha, policy, now: deps.now() });
  }
  await settle(deps, scope, job, owner, repo, sha, true);
  const requests = sources.reduce((n, s) => n + s.stats().requests, 0);
  const parse = outcome?.type === "verdict" ? { parsed: outcome.parse.parsed, cached: outcome.parse.cached, check: outcome.timings } : {};
  deps.log.info({ repoId: job.repoId, sha, conclusion: rendered.conclusion, requests, phases, ...parse }, "concluded");
  return { sha, conclusion: rendered.conclusion, checkRunId: run.id, supersededBy: null, requests, outcome };
}

/** The branch's current tip when it is no longer `sha` (a newer push superseded this job). */
async function newerTip(client: GitHubClient, job: CheckJob, owner: string, repo: string, sha: string): Promise<string | null> {
  if (!job.branch || job.trigger === "merge_group") return null;
  try {
    if (job.prNumber && job.branch.startsWith("fork-")) {
      const pr = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: job.prNumber });
      return pr.data.head.sha !== sha && pr.data.state === "open" ? pr.data.head.sha : null;
    }
    const ref = await client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `heads/${job.branch}` });
    return ref.data.object.sha !== sha ? ref.data.object.sha : null;
  } catch (err) {
    // A deleted branch has no newer tip; the SHA is still judged (it may be a PR head).
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}

/**
 * Drops this SHA from the branch's pending set. Older pending SHAs were replaced in the queue
 * by a newer push (newest wins) and never ran: each gets a concluded run naming its successor,
 * so no push is left without a conclusion.
 */
async function settle(deps: WorkerDeps, scope: RepoScope, job: CheckJob, owner: string, repo: string, sha: string, concluded: boolean): Promise<void> {
  if (!job.branch) return;
  const key = deps.keys.pendingShas(scope, job.branch);
  const jobsKey = deps.keys.pendingJobs(scope, job.branch);
  await deps.redis.multi().zrem(key, sha).hdel(jobsKey, sha).exec();
  if (!concluded) return;
  // Each older SHA leaves the pending set when its notice is written (supersede-notice.ts).
  const older = await deps.redis.zrangebyscore(key, "-inf", `(${job.enqueuedAt}`);
  for (const old of older) {
    const notice: SupersedeNotice = { installationId: job.installationId, repoId: job.repoId, owner, repo, branch: job.branch, sha: old, successor: sha, trigger: job.trigger };
    await enqueueNotice(deps.noticeQueue, notice, deps);
  }
}

/**
 * A superseded job makes sure its successor is evaluated. The successor's own job should be
 * queued, but BullMQ keeps one "next" job per branch and the last add wins, so a late delivery
 * for an older SHA (GitHub guarantees no order), a Re-run on an old commit or a re-evaluation
 * can displace it; then the newest push was never judged (test/reliability/out-of-order.test.ts).
 * The successor is re-enqueued with the job it arrived with (its own actor signals), while it
 * is still pending; newest-wins collapses the duplicate when nothing was displaced.
 */
async function handOver(deps: WorkerDeps, scope: RepoScope, job: CheckJob, successor: string): Promise<void> {
  if (!job.branch || !deps.checkQueue) return;
  const [pending, stored] = await Promise.all([deps.redis.zscore(deps.keys.pendingShas(scope, job.branch), successor), deps.redis.hget(deps.keys.pendingJobs(scope, job.branch), successor)]);
  if (pending === null || stored === null) return;
  const parsed = checkJobSchema.safeParse(JSON.parse(stored));
  if (parsed.success && parsed.data.sha === successor && parsed.data.repoId === job.repoId) await enqueueCheck(deps.checkQueue, { ...parsed.data, handedOver: true }, deps);
}
