import type { CheckJob } from "../queue/check-job.js";
import { MAX_COMMIT_MESSAGE, MAX_JOB_COMMITS } from "../queue/check-job.js";

/**
 * Turns a webhook into evaluation jobs. Pure and synchronous: the handler must answer GitHub
 * within its 10 s budget, so everything that needs the API happens in the worker.
 */

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ZERO = /^0{40}$/;
const PR_ACTIONS = new Set(["opened", "synchronize", "reopened", "ready_for_review"]);
/** Merge-queue branches are judged through `merge_group`, not as ordinary pushes. */
const QUEUE_BRANCH = /^gh-readonly-queue\//;

export function jobsFromEvent(event: string, payload: Payload, deliveryId: string, now: number): Omit<CheckJob, never>[] {
  const handler = HANDLERS[event];
  if (!handler || !payload?.installation?.id) return [];
  return handler(payload, { deliveryId, now });
}

interface Ctx {
  readonly deliveryId: string;
  readonly now: number;
}

const HANDLERS: Record<string, (p: Payload, ctx: Ctx) => CheckJob[]> = {
  push(p, ctx) {
    if (p.deleted || typeof p.ref !== "string" || !p.ref.startsWith("refs/heads/")) return [];
    const branch = p.ref.slice("refs/heads/".length);
    if (QUEUE_BRANCH.test(branch) || ZERO.test(p.after)) return [];
    const before = typeof p.before === "string" && !ZERO.test(p.before) && !p.created ? p.before : null;
    return [
      job(p, ctx, "push", p.after, branch, {
        before,
        actor: {
          sender: sender(p.sender),
          branch,
          commits: (p.commits ?? []).slice(-MAX_JOB_COMMITS).map((c: Payload) => ({
            sha: c.id,
            authorLogin: c.author?.username ?? null,
            authorEmail: c.author?.email ?? null,
            committerLogin: c.committer?.username ?? null,
            message: String(c.message ?? "").slice(0, MAX_COMMIT_MESSAGE),
          })),
        },
      }),
    ];
  },
  pull_request(p, ctx) {
    const pr = p.pull_request;
    const baseChanged = p.action === "edited" && p.changes?.base !== undefined;
    if (!pr || (!PR_ACTIONS.has(p.action) && !baseChanged) || pr.state === "closed") return [];
    const fork = pr.head?.repo?.id !== p.repository?.id;
    const branch = fork ? `fork-${pr.head?.repo?.id ?? "unknown"}-${pr.head?.ref}` : pr.head?.ref;
    return [job(p, ctx, "pull_request", pr.head.sha, branch, { prNumber: pr.number, actor: { sender: sender(p.sender), prAuthor: sender(pr.user), branch: pr.head?.ref ?? null } })];
  },
  check_suite(p, ctx) {
    if (!["requested", "rerequested"].includes(p.action)) return [];
    const s = p.check_suite;
    return [job(p, ctx, "check_suite", s.head_sha, s.head_branch ?? null, { prNumber: s.pull_requests?.[0]?.number ?? null, rerun: p.action === "rerequested", actor: { sender: sender(p.sender), branch: s.head_branch ?? null } })];
  },
  check_run(p, ctx) {
    const rerun = p.action === "rerequested" || (p.action === "requested_action" && p.requested_action?.identifier === "rerun");
    if (!rerun) return [];
    const r = p.check_run;
    const branch = r.check_suite?.head_branch ?? null;
    return [job(p, ctx, "check_run", r.head_sha, branch, { prNumber: r.pull_requests?.[0]?.number ?? null, rerun: true, actor: { sender: sender(p.sender), branch } })];
  },
  merge_group(p, ctx) {
    if (p.action !== "checks_requested") return [];
    const g = p.merge_group;
    return [job(p, ctx, "merge_group", g.head_sha, null, { baseSha: g.base_sha, actor: { sender: sender(p.sender), branch: String(g.head_ref ?? "").replace(/^refs\/heads\//, "") } })];
  },
  installation(p, ctx) {
    if (!["created", "new_permissions_accepted", "unsuspend"].includes(p.action)) return [];
    return (p.repositories ?? []).map((r: Payload) => auditJob(p, ctx, r));
  },
  installation_repositories(p, ctx) {
    if (p.action !== "added") return [];
    return (p.repositories_added ?? []).map((r: Payload) => auditJob(p, ctx, r));
  },
};

function sender(s: Payload | undefined | null) {
  return s ? { login: String(s.login), ...(typeof s.id === "number" ? { id: s.id } : {}), ...(s.type ? { type: String(s.type) } : {}) } : null;
}

function job(p: Payload, ctx: Ctx, trigger: CheckJob["trigger"], sha: string, branch: string | null, extra: Partial<CheckJob> & { actor: CheckJob["actor"] }): CheckJob {
  const repo = p.repository;
  return {
    installationId: p.installation.id,
    repoId: repo.id,
    owner: repo.owner?.login ?? String(repo.full_name).split("/")[0],
    repo: repo.name,
    sha,
    branch,
    trigger,
    deliveryId: ctx.deliveryId,
    before: null,
    prNumber: null,
    baseSha: null,
    defaultBranch: repo.default_branch ?? null,
    enqueuedAt: ctx.now,
    ...extra,
  };
}

function auditJob(p: Payload, ctx: Ctx, r: Payload): CheckJob {
  const [owner, name] = String(r.full_name).split("/");
  return {
    installationId: p.installation.id,
    repoId: r.id,
    owner: owner ?? p.installation.account?.login,
    repo: name ?? r.name,
    sha: null,
    branch: null,
    trigger: "installation",
    deliveryId: ctx.deliveryId,
    before: null,
    prNumber: null,
    baseSha: null,
    defaultBranch: null,
    actor: { sender: sender(p.sender) },
    enqueuedAt: ctx.now,
  };
}
