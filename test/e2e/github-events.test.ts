import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitFor, type Harness } from "../helpers/app-harness.js";
import { BAD_IMPORT, CLAUDE, CORE_IS_PURE, HUMAN, NO_CONSOLE, policyOf } from "../helpers/policies.js";

const POLICY = policyOf(CORE_IS_PURE, NO_CONSOLE, `  - id: agents-keep-the-rules
    kind: execution-scope
    why: Agents may not change the rules that bind them.
    actors: agents
    deny: ["invariants/**"]
`);

let h: Harness;
const repo = "acme/events";

beforeAll(async () => {
  h = await startHarness();
  await h.fake.createRepo(h.installationId, { owner: "acme", name: "events" });
  await h.fake.commit(repo, { branch: "main", message: "init", files: { "invariants/a.yml": POLICY, "src/core/model.ts": "export const x = 1;\n", "src/adapters/db.ts": "export const db = 1;\n" } });
}, 60_000);
afterAll(async () => h?.close());

const completed = (sha: string, timeoutMs?: number) => waitFor(`a completed run on ${sha.slice(0, 7)}`, () => h.fake.checkRuns(repo, sha).find((r) => r.status === "completed"), timeoutMs);

describe("events", () => {
  it("pull_request opened then synchronize: blocked, then fixed", async () => {
    const bad = await h.fake.commit(repo, { branch: "claude/pr", message: "bad", files: { "src/core/model.ts": BAD_IMPORT }, author: { name: "Claude", email: "noreply@anthropic.com" } });
    const n = await h.fake.openPullRequest(repo, { head: "claude/pr", base: "main", title: "feature", user: CLAUDE });
    const opened = await h.fake.deliver("pull_request", await h.fake.events.pullRequest(repo, n, "opened", { sender: CLAUDE }));
    expect(opened.status).toBe(200);
    expect((await completed(bad)).conclusion).toBe("failure");
    const good = await h.fake.commit(repo, { branch: "claude/pr", message: "fix", files: { "src/core/model.ts": "export const x = 2;\n" } });
    await h.fake.deliver("pull_request", await h.fake.events.pullRequest(repo, n, "synchronize", { sender: CLAUDE, before: bad, after: good }));
    expect((await completed(good)).conclusion).toBe("success");
  });

  it("an agent PR that weakens the invariants is judged by the base policy and fails", async () => {
    const sha = await h.fake.commit(repo, { branch: "claude/loosen", message: "loosen", files: { "invariants/a.yml": POLICY.replace('forbid: ["src/adapters/**"]', 'forbid: ["src/nothing/**"]'), "src/core/model.ts": BAD_IMPORT } });
    const n = await h.fake.openPullRequest(repo, { head: "claude/loosen", base: "main", title: "loosen", user: CLAUDE });
    await h.fake.deliver("pull_request", await h.fake.events.pullRequest(repo, n, "opened", { sender: CLAUDE }));
    const run = await completed(sha);
    expect(run.conclusion).toBe("failure");
    expect(run.summary).toContain("core-is-pure");
    expect(run.summary).toMatch(/weak/i);
  });

  it("a fork PR is driven by pull_request and gets a run on its head", async () => {
    const fork = await h.fake.forkRepo(repo, "mallory");
    const sha = await h.fake.commit(fork, { branch: "patch", message: "log", files: { "src/core/log.ts": "console.log('hi')\n" } });
    const n = await h.fake.openPullRequest(repo, { head: "patch", base: "main", title: "fork", user: { login: "mallory", type: "User" }, fromFork: true });
    await h.fake.deliver("pull_request", await h.fake.events.pullRequest(repo, n, "opened", { sender: { login: "mallory" } }));
    const run = await completed(sha);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: "src/core/log.ts" }));
  });

  it("a force-push is evaluated on the new SHA", async () => {
    const first = await h.fake.push(repo, { branch: "alice/force", message: "one", files: { "docs/a.md": "a\n" }, sender: HUMAN });
    await completed(first.sha);
    const main = (await h.fake.branchTip(repo, "main"))!;
    const forced = await h.fake.push(repo, { branch: "alice/force", message: "rewrite", files: { "src/core/x.ts": "console.log(1)\n" }, parents: [main], force: true, sender: HUMAN });
    const run = await completed(forced.sha);
    expect(run.conclusion).toBe("failure");
  });

  it("20 pushes to one branch within a second: the newest SHA gets the real verdict, no SHA is left unconcluded, none superseded is success", async () => {
    const shas: string[] = [];
    const deliveries = [];
    for (let i = 0; i < 20; i++) {
      const body = i === 19 ? "export const ok = 19;\n" : `console.log(${i})\n`;
      const p = await h.fake.push(repo, { branch: "alice/burst", message: `burst ${i}`, files: { "src/core/burst.ts": body }, sender: HUMAN });
      shas.push(p.sha);
      deliveries.push(p.delivery);
    }
    expect(deliveries.every((d) => d.status === 200)).toBe(true);
    const newest = await completed(shas[19]!, 30_000);
    expect(newest.conclusion).toBe("success");
    for (const sha of shas.slice(0, 19)) {
      const run = await completed(sha, 30_000);
      expect(run.conclusion, `run of superseded ${sha}`).not.toBe("success");
    }
  });

  it("merge_group.checks_requested evaluates the group's head SHA under the same check name", async () => {
    await h.fake.commit(repo, { branch: "alice/mq", message: "mq", files: { "docs/mq.md": "mq\n" } });
    const n = await h.fake.openPullRequest(repo, { head: "alice/mq", base: "main", title: "mq", user: HUMAN });
    const group = await h.fake.createMergeGroup(repo, n);
    await h.fake.deliver("merge_group", await h.fake.events.mergeGroup(repo, group));
    const run = await completed(group.headSha);
    expect(run.name).toBe("Plumbline");
    expect(run.conclusion).toBe("success");
  });

  it("check_run rerequested and the Re-run button re-evaluate the same run", async () => {
    const { sha } = await h.fake.push(repo, { branch: "alice/rerun", message: "x", files: { "docs/r.md": "r\n" }, sender: HUMAN });
    const run = await completed(sha);
    const before = run.history.length;
    await h.fake.deliver("check_run", await h.fake.events.checkRun(repo, run.id, "rerequested", { sender: HUMAN }));
    await waitFor("re-evaluation", () => h.fake.checkRuns(repo, sha).find((r) => r.id === run.id && r.history.length > before && r.status === "completed"));
    const mid = h.fake.checkRuns(repo, sha).find((r) => r.id === run.id)!.history.length;
    await h.fake.deliver("check_run", await h.fake.events.checkRun(repo, run.id, "requested_action", { identifier: "rerun", sender: HUMAN }));
    await waitFor("re-run action", () => h.fake.checkRuns(repo, sha).find((r) => r.id === run.id && r.history.length > mid && r.status === "completed"));
    expect(h.fake.checkRuns(repo, sha)).toHaveLength(1);
  });

  it("check_suite rerequested re-evaluates the suite's head", async () => {
    const { sha } = await h.fake.push(repo, { branch: "alice/suite", message: "x", files: { "docs/s.md": "s\n" }, sender: HUMAN });
    const run = await completed(sha);
    const before = run.history.length;
    await h.fake.deliver("check_suite", await h.fake.events.checkSuite(repo, "rerequested", { headSha: sha, sender: HUMAN }));
    await waitFor("suite re-evaluation", () => h.fake.checkRuns(repo, sha).find((r) => r.history.length > before && r.status === "completed"));
  });

  it("installation of a repository audits its default branch", async () => {
    const other = await h.fake.createRepo(h.installationId, { owner: "acme", name: "installed" });
    const sha = await h.fake.commit("acme/installed", { branch: "main", message: "init", files: { "invariants/a.yml": POLICY, "src/core/a.ts": "console.log(1)\n" } });
    await h.fake.deliver("installation_repositories", h.fake.events.installationRepositories(h.installationId, "added", ["acme/installed"]));
    const run = await waitFor("audit run", () => h.fake.checkRuns("acme/installed", sha).find((r) => r.status === "completed"));
    expect(run.conclusion).toBe("failure");
    expect(other.id).toBeGreaterThan(0);
  });

  it("GitHub 5xx and a secondary rate limit during a job: the run still concludes correctly", async () => {
    h.fake.inject({ pathPattern: /\/git\/trees\//, times: 2, status: 502 });
    h.fake.inject({ method: "GET", pathPattern: /\/compare\//, times: 1, secondaryRateLimit: { retryAfterSeconds: 1 } });
    const { sha } = await h.fake.push(repo, { branch: "alice/faults", message: "x", files: { "src/core/f.ts": "console.log('f')\n" }, sender: HUMAN });
    const run = await completed(sha, 60_000);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: "src/core/f.ts" }));
  }, 90_000);
});
