import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { CHECK_QUEUE } from "../../src/queue/check-queue.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHistory } from "../../src/store/history-store.js";
import { redisKeys } from "../../src/store/redis-keys.js";
import { REDIS_URL, startHarness, waitFor, type Harness } from "../helpers/app-harness.js";
import { runCli } from "../helpers/run-cli.js";
import { BAD_IMPORT, CLAUDE, CORE_IS_PURE, HUMAN, NO_CONSOLE, policyOf } from "../helpers/policies.js";

const POLICY = policyOf(CORE_IS_PURE, NO_CONSOLE, `settings:
  dashboard: true
  auditInterval: 1h
`);

let h: Harness;
let redis: Redis;
const repo = "acme/decay";

beforeAll(async () => {
  h = await startHarness();
  redis = new Redis(REDIS_URL);
  await h.fake.createRepo(h.installationId, { owner: "acme", name: "decay" });
  await h.fake.commit(repo, { branch: "main", message: "init", files: { "invariants/a.yml": POLICY, "src/core/model.ts": "export const x = 1;\n", "src/core/util.ts": "export const u = 1;\n", "src/adapters/db.ts": "export const db = 1;\n" } });
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await h?.close();
});

const completed = (sha: string, name = "Plumbline") => waitFor(`${name} on ${sha.slice(0, 7)}`, () => h.fake.checkRuns(repo, sha).find((r) => r.name === name && r.status === "completed"), 30_000);

describe("decay and loops end to end", () => {
  it("an agent that breaks, 'fixes' by breaking another rule, then breaks again is reported as a loop with its chain", async () => {
    const push = (files: Record<string, string>, message: string) => h.fake.push(repo, { branch: "claude/loop", files, message, sender: CLAUDE });
    const a = await push({ "src/core/model.ts": BAD_IMPORT }, "use the db");
    await completed(a.sha);
    const b = await push({ "src/core/model.ts": "export const x = 1;\nconsole.log(x);\n" }, "drop the import");
    await completed(b.sha);
    const c = await push({ "src/core/model.ts": BAD_IMPORT }, "use the db again");
    const run = await completed(c.sha);
    expect(run.conclusion).toBe("failure");
    expect(run.summary).toMatch(/loop/i);
    expect(run.summary).toContain(a.sha.slice(0, 7));
    expect(run.summary).toContain(c.sha.slice(0, 7));

    const out = runCli(["drift", "--repo", repo, "--format", "json"], { env: { REDIS_URL, PLUMBLINE_PREFIX: h.prefix } });
    const signals = JSON.parse(out.stdout).signals as Array<{ type: string; branch: string | null; evidence: { data: { chain: unknown[] } } }>;
    const loop = signals.find((s) => s.type === "violation-loop" && s.branch === "claude/loop");
    expect(loop, out.stdout + out.stderr).toBeTruthy();
    expect(loop!.evidence.data.chain.length).toBeGreaterThanOrEqual(3);
  });

  it("a refactor that moves code out from under a rule is reported by the audit as vacuous, on the audit check run and the dashboard", async () => {
    const { sha } = await h.fake.push(repo, { branch: "main", message: "move core to lib", sender: HUMAN, files: { "src/core/model.ts": null as unknown as string, "src/core/util.ts": null as unknown as string, "src/lib/model.ts": "export const x = 1;\n", "src/lib/util.ts": "export const u = 1;\n" } });
    await completed(sha);
    // The scheduled audit, as its scheduler would enqueue it.
    await h.fake.deliver("installation_repositories", h.fake.events.installationRepositories(h.installationId, "added", [repo]));
    const audit = await completed(sha, "Plumbline audit");
    expect(audit.conclusion).toBe("neutral");
    expect(audit.summary).toMatch(/vacuous/i);
    expect(audit.summary).toContain("core-is-pure");
    const issues = await waitFor("the dashboard issue", () => h.fake.issues(repo).filter((i: { title: string }) => /dashboard/i.test(i.title)).length === 1 && h.fake.issues(repo));
    expect(issues.filter((i: { title: string }) => /dashboard/i.test(i.title))).toHaveLength(1);
  });

  it("a PR merged while its Plumbline run was failing is recorded as bypassed", async () => {
    const sha = await h.fake.commit(repo, { branch: "alice/bypass", message: "log", files: { "src/lib/log.ts": "console.log(1)\n" } });
    const n = await h.fake.openPullRequest(repo, { head: "alice/bypass", base: "main", title: "bypass", user: HUMAN });
    await h.fake.deliver("pull_request", await h.fake.events.pullRequest(repo, n, "opened", { sender: HUMAN }));
    expect((await completed(sha)).conclusion).toBe("failure");
    await h.fake.mergePullRequest(repo, n, { mergedBy: "alice" });
    await h.fake.deliver("pull_request", await h.fake.events.pullRequest(repo, n, "closed", { sender: HUMAN }));
    const scope = { installationId: h.installationId, repoId: h.fake.repoId(repo) };
    await waitFor("the merge record", async () => (await readHistory(redis, redisKeys(h.prefix), scope)).some((r) => r.merged?.prNumber === n));
    const out = runCli(["drift", "--repo", repo, "--format", "json"], { env: { REDIS_URL, PLUMBLINE_PREFIX: h.prefix } });
    expect(JSON.parse(out.stdout).signals.map((s: { type: string }) => s.type)).toContain("bypassed");
  });

  it("uninstalling removes the repository's schedule and data", async () => {
    const scope = { installationId: h.installationId, repoId: h.fake.repoId(repo) };
    const keys = redisKeys(h.prefix);
    expect((await redis.keys(`${keys.repo(scope)}:*`)).length).toBeGreaterThan(0);
    await h.fake.deliver("installation_repositories", h.fake.events.installationRepositories(h.installationId, "removed", [repo]));
    await waitFor("data removed", async () => (await redis.keys(`${keys.repo(scope)}:*`)).length === 0);
    const queue = new Queue(CHECK_QUEUE, { connection: redis, prefix: h.prefix });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.filter((s) => String(s.key ?? s.id).includes(`r${scope.repoId}`))).toEqual([]);
    const pending = await queue.getJobs(["delayed", "waiting", "prioritized"]);
    expect(pending.filter((j) => j?.data?.repoId === scope.repoId && j.data.trigger === "schedule")).toEqual([]);
    await queue.close();
  });
});
