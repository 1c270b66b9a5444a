import { randomBytes } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { silentLogger, type GitHubClient } from "../../src/github/github-client.js";
import { auditJobsFor, listAgentBranches, type AgentBranch } from "../../src/queue/agent-branches.js";
import { auditSchedulerId, ensureAuditSchedule, removeAuditSchedule, type AuditTarget } from "../../src/queue/audit-scheduler.js";
import { checkJobSchema, type CheckJob } from "../../src/queue/check-job.js";
import { CHECK_QUEUE, removeQueuedJobs } from "../../src/queue/check-queue.js";
import { AUDIT_PRIORITY } from "../../src/queue/fair-priority.js";
import { createFakeGitHub, type FakeGitHub } from "../fake-github/index.js";
import { waitFor } from "../helpers/app-harness.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const target: AuditTarget = { installationId: 7, repoId: 42, owner: "acme", repo: "widgets" };

describe("audit scheduler", () => {
  let prefix: string;
  let connection: Redis;
  let queues: Queue<CheckJob>[];
  const open = () => {
    const q = new Queue<CheckJob>(CHECK_QUEUE, { connection, prefix });
    queues.push(q);
    return q;
  };
  const pending = (q: Queue<CheckJob>) => q.getJobCountByTypes("delayed", "waiting", "prioritized");

  beforeEach(() => {
    prefix = `pltest-${randomBytes(6).toString("hex")}`;
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queues = [];
  });
  afterEach(async () => {
    await Promise.all(queues.map((q) => q.close()));
    const found = await connection.keys(`${prefix}:*`);
    if (found.length) await connection.del(...found);
    connection.disconnect();
  });

  it("uses an id BullMQ accepts, stable per repository", () => {
    const id = auditSchedulerId(target);
    expect(id).toBe("audit-i7-r42");
    expect(id).not.toContain(":");
    expect(id).not.toMatch(/^\d+$/);
  });

  it("ensuring twice, or after a restart, leaves one scheduler and one pending job", async () => {
    const q = open();
    expect(await ensureAuditSchedule(q, target, 60_000)).toBe("created");
    expect(await ensureAuditSchedule(q, target, 60_000)).toBe("unchanged");
    expect(await q.getJobSchedulersCount()).toBe(1);
    expect(await pending(q)).toBe(1);

    await q.close();
    const restarted = open();
    expect(await ensureAuditSchedule(restarted, target, 60_000)).toBe("unchanged");
    expect(await restarted.getJobSchedulersCount()).toBe(1);
    expect(await pending(restarted)).toBe(1);
  });

  it("follows a new interval or a renamed repository in place", async () => {
    const q = open();
    await ensureAuditSchedule(q, target, 60_000);
    expect(await ensureAuditSchedule(q, target, 120_000)).toBe("updated");
    expect(await ensureAuditSchedule(q, { ...target, repo: "gizmos" }, 120_000)).toBe("updated");
    const s = await q.getJobScheduler(auditSchedulerId(target));
    expect(s?.every).toBe(120_000);
    expect((s?.template?.data as CheckJob).repo).toBe("gizmos");
    // Audits wait behind pushes: BullMQ runs a job without priority before every prioritized one.
    expect(s?.template?.opts?.priority).toBe(AUDIT_PRIORITY);
    expect(await q.getJobSchedulersCount()).toBe(1);
    expect(await pending(q)).toBe(1);
  });

  it("keeps repositories apart and removes one without touching the other", async () => {
    const q = open();
    const other = { ...target, repoId: 43 };
    await ensureAuditSchedule(q, target, 60_000);
    await ensureAuditSchedule(q, other, 60_000);
    expect(await q.getJobSchedulersCount()).toBe(2);
    expect(await removeAuditSchedule(q, target)).toBe(true);
    expect(await removeAuditSchedule(q, target)).toBe(false);
    expect((await q.getJobSchedulers()).map((s) => s.key)).toEqual([auditSchedulerId(other)]);
    expect(await pending(q)).toBe(1);
    await removeAuditSchedule(q, other);
    expect(await q.getJobSchedulersCount()).toBe(0);
    expect(await pending(q)).toBe(0);
  });

  it("rejects an interval that would spin", async () => {
    await expect(ensureAuditSchedule(open(), target, 0)).rejects.toThrow(RangeError);
  });

  it("produces default-branch audit jobs, again within each interval", async () => {
    const q = open();
    const seen: { data: CheckJob; at: number }[] = [];
    const workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker<CheckJob>(CHECK_QUEUE, async (job) => void seen.push({ data: job.data, at: Date.now() }), { connection: workerConnection, prefix });
    try {
      const start = Date.now();
      await ensureAuditSchedule(q, target, 400);
      await waitFor("two audit jobs", () => seen.length >= 2, 5000);
      // The first tick one interval after the evaluation that set the schedule up (it has just
      // judged the tip), not at once; the next one interval later.
      expect(seen[0]!.at - start).toBeGreaterThanOrEqual(400);
      expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(300);
      expect(seen[1]!.at - start).toBeLessThan(2500);
      for (const { data } of seen) {
        const job = checkJobSchema.parse(data);
        expect(job).toMatchObject({ installationId: 7, repoId: 42, trigger: "schedule", sha: null, branch: null });
      }
    } finally {
      await worker.close();
      workerConnection.disconnect();
    }
  });

  it("uninstall removes every job of the repository still queued, delayed or ranked, and no other", async () => {
    const q = open();
    const agentBranch = (name: string, n: number): AgentBranch => ({ branch: name, headRef: name, sha: String(n).repeat(40), prNumber: null, agent: "claude", prAuthor: null });
    const ours = auditJobsFor(target, ["claude/a", "codex/b", "claude/c", "codex/d", "claude/e"].map(agentBranch), 1_000);
    const theirs = auditJobsFor({ ...target, repoId: 43, repo: "gadgets" }, [agentBranch("claude/a", 7)], 1_000);
    // Each state, and pages of one so removal shifts every page.
    const states = [{ delay: 60_000 }, { priority: 5 }, {}];
    for (const [i, job] of ours.entries()) await q.add("schedule", job, states[i % 3]);
    for (const job of theirs) await q.add("schedule", job, { priority: 5 });
    expect(ours.length).toBeGreaterThanOrEqual(5);
    expect(await removeQueuedJobs(q, target.installationId, [target.repoId], 1)).toBe(ours.length);
    const left = await q.getJobs(["delayed", "waiting", "prioritized"]);
    expect(left.map((j) => j.data.repoId)).toEqual(theirs.map(() => 43));
  });
});

describe("listAgentBranches", () => {
  let fake: FakeGitHub;
  let client: GitHubClient;
  const REPO = "acme/widgets";

  beforeAll(async () => {
    fake = await createFakeGitHub();
    const installationId = fake.createInstallation({ account: { login: "acme", type: "Organization" } }).id;
    await fake.createRepo(installationId, { owner: "acme", name: "widgets" });
    const main = await fake.commit(REPO, { branch: "main", message: "init", files: { "a.txt": "a\n" } });
    for (const b of ["claude/fix-a", "copilot/x", "feature/human", "codex-lookalike/y", "devin/pr-branch", "fixer/mine"]) await fake.createBranch(REPO, b, main);
    await fake.commit(REPO, { branch: "feature/human", message: "human work", files: { "b.txt": "b\n" } });
    await fake.openPullRequest(REPO, { head: "feature/human", title: "human", user: { login: "alice" } });
    await fake.openPullRequest(REPO, { head: "devin/pr-branch", title: "devin", user: { login: "devin-ai-integration[bot]", type: "Bot", id: 158243242 } });
    client = new ProbotOctokit({ auth: { token: fake.installationToken(installationId) }, baseUrl: fake.url, log: silentLogger(), throttle: { enabled: false } }) as GitHubClient;
  });
  afterAll(async () => {
    expect(fake.unexpectedRequests).toEqual([]);
    await fake.close();
  });

  it("lists agent PR heads first, then branches with known agent prefixes, skipping human ones", async () => {
    const branches = await listAgentBranches(client, "acme", "widgets", { agents: [{ id: "acme-fixer", logins: [], branches: ["fixer/"], emails: [] }] });
    expect(branches.map((b) => [b.branch, b.agent, b.prNumber !== null])).toEqual([
      ["devin/pr-branch", "devin", true],
      ["copilot/x", "copilot", false],
      ["claude/fix-a", "claude-code", false],
      ["fixer/mine", "acme-fixer", false],
    ]);
    expect(branches.every((b) => /^[0-9a-f]{40}$/.test(b.sha))).toBe(true);
    expect(await listAgentBranches(client, "acme", "widgets", { limit: 2 })).toHaveLength(2);

    const jobs = auditJobsFor(target, branches, 1_000);
    for (const j of jobs) expect(() => checkJobSchema.parse(j)).not.toThrow();
    expect(jobs[0]).toMatchObject({ trigger: "schedule", branch: "devin/pr-branch", actor: { branch: "devin/pr-branch", prAuthor: { login: "devin-ai-integration[bot]" } } });
  });
});
