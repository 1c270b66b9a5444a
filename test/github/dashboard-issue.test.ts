import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DASHBOARD_LABEL, DASHBOARD_MARKER, ensureDashboardIssue, type DashboardTarget } from "../../src/github/dashboard-issue.js";
import { silentLogger, type GitHubClient } from "../../src/github/github-client.js";
import { createFakeGitHub, type FakeGitHub } from "../fake-github/index.js";
import { scratchRedis, type ScratchRedis } from "../store/scratch-redis.js";

let fake: FakeGitHub;
let client: GitHubClient;
let repos = 0;

beforeAll(async () => {
  fake = await createFakeGitHub();
  const installationId = fake.createInstallation({ account: { login: "acme", type: "Organization" } }).id;
  for (let i = 1; i <= 8; i++) {
    await fake.createRepo(installationId, { owner: "acme", name: `repo${i}` });
    await fake.commit(`acme/repo${i}`, { branch: "main", message: "init", files: { "a.txt": "a\n" } });
  }
  client = new ProbotOctokit({ auth: { token: fake.installationToken(installationId) }, baseUrl: fake.url, log: silentLogger(), throttle: { enabled: false } }) as GitHubClient;
});
afterAll(async () => {
  expect(fake.unexpectedRequests).toEqual([]);
  await fake.close();
});

describe("ensureDashboardIssue", () => {
  let s: ScratchRedis;
  let target: DashboardTarget;
  let name: string;
  beforeEach(() => {
    s = scratchRedis();
    repos += 1;
    name = `acme/repo${repos}`;
    target = { redis: s.redis, keys: s.keys, scope: { installationId: 1, repoId: repos }, owner: "acme", repo: `repo${repos}` };
  });
  afterEach(async () => {
    await s.drop();
  });
  const dashboards = () => fake.issues(name).filter((i) => i.labels.includes(DASHBOARD_LABEL));

  it("creates the issue once, then updates it in place", async () => {
    const first = await ensureDashboardIssue(client, target, "## Decay\n\nfirst");
    expect(first.created).toBe(true);
    const second = await ensureDashboardIssue(client, target, "## Decay\n\nsecond");
    expect(second).toEqual({ number: first.number, created: false });
    expect(dashboards()).toHaveLength(1);
    expect(dashboards()[0]!.body).toBe(`${DASHBOARD_MARKER}\n## Decay\n\nsecond`);
    expect(await s.redis.get(s.keys.dashboardIssue(target.scope))).toBe(String(first.number));
  });

  it("finds its issue again by label and marker when Redis forgot the number", async () => {
    const first = await ensureDashboardIssue(client, target, "one");
    await s.redis.del(s.keys.dashboardIssue(target.scope));
    const again = await ensureDashboardIssue(client, target, "two");
    expect(again).toEqual({ number: first.number, created: false });
    expect(dashboards()).toHaveLength(1);
  });

  it("replaces a stored number whose issue is gone", async () => {
    await s.redis.set(s.keys.dashboardIssue(target.scope), "9999");
    const r = await ensureDashboardIssue(client, target, "fresh");
    expect(r.created).toBe(true);
    expect(await s.redis.get(s.keys.dashboardIssue(target.scope))).toBe(String(r.number));
  });

  it("five concurrent ensures make one issue", async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => ensureDashboardIssue(client, target, `body ${i}`)));
    expect(dashboards()).toHaveLength(1);
    expect(new Set(results.map((r) => r.number)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await s.redis.exists(s.keys.dashboardLock(target.scope))).toBe(0);
  });

  it("a closed dashboard stays closed and stays current", async () => {
    const { number } = await ensureDashboardIssue(client, target, "v1");
    await client.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: "acme", repo: target.repo, issue_number: number, state: "closed" });
    await s.redis.del(s.keys.dashboardIssue(target.scope));
    expect(await ensureDashboardIssue(client, target, "v2")).toEqual({ number, created: false });
    expect(dashboards()[0]).toMatchObject({ state: "closed", body: `${DASHBOARD_MARKER}\nv2` });
  });

  it("keeps the body inside GitHub's limit", async () => {
    await ensureDashboardIssue(client, target, "x".repeat(70_000));
    const body = dashboards()[0]!.body ?? "";
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(DASHBOARD_MARKER)).toBe(true);
  });

  it("gives up when another holder keeps the lock, so the job can retry", async () => {
    await s.redis.set(s.keys.dashboardLock(target.scope), "someone-else", "PX", 10_000);
    await expect(ensureDashboardIssue(client, target, "x", { waitMs: 200 })).rejects.toThrow(/locked by another worker/);
    expect(dashboards()).toHaveLength(0);
    expect(await s.redis.get(s.keys.dashboardLock(target.scope))).toBe("someone-else");
  });
});
