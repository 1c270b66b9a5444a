import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProbotApp, installationClient, silentLogger, type GitHubClient } from "../../src/github/github-client.js";
import { CHECK_RUN_NAME, contentKeyOf, publishCheckRun, RERUN_ACTION, type PublishCheckRunArgs } from "../../src/github/publish-check-run.js";
import { renderCheckRun, type RenderCheckRunInput, type RenderedCheckRun } from "../../src/github/render-check-run.js";
import { createFakeGitHub, type CheckRunSnapshot, type FakeGitHub } from "../fake-github/index.js";
import { consoleLines, POLICY, verdictOf } from "./check-outcomes.js";

const OWNER = "acme";
const REPO = `${OWNER}/widgets`;
let fake: FakeGitHub;
/** The production client (retries after 1 s, 4 s, 9 s; writes spaced 1 s apart by the throttling plugin). */
let prodClient: GitHubClient;
/**
 * Same installation, retrying after milliseconds and without write spacing, so faults that
 * outlast every retry (a "crash") and multi-batch runs stay fast. Built directly: Probot
 * replaces the throttle options of the Octokit class it is given.
 */
let client: GitHubClient;
let commits = 0;

beforeAll(async () => {
  fake = await createFakeGitHub();
  const installationId = fake.createInstallation({ account: { login: OWNER, type: "Organization" } }).id;
  await fake.createRepo(installationId, { owner: OWNER, name: "widgets" });
  const creds = { appId: fake.appId, privateKey: fake.privateKeyPem, webhookSecret: fake.webhookSecret, baseUrl: fake.url };
  prodClient = await installationClient(createProbotApp(creds), installationId);
  client = new ProbotOctokit({
    auth: { token: fake.installationToken(installationId) }, baseUrl: fake.url, log: silentLogger(),
    retry: { retries: 3, retryAfterBaseValue: 5 }, throttle: { enabled: false },
  });
});
afterEach(() => fake.clearFaults());
afterAll(async () => {
  expect(fake.unexpectedRequests).toEqual([]);
  await fake.close();
});

/** Each test judges its own commit, so runs never mix between tests. */
async function newCommit(): Promise<string> {
  commits += 1;
  return fake.commit(REPO, { branch: "main", message: `commit ${commits}`, files: { [`notes/${commits}.txt`]: `${commits}\n` } });
}

async function rendered(headSha: string, consoleCount: number, extra: Partial<RenderCheckRunInput> = {}): Promise<RenderedCheckRun> {
  const outcome = await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": consoleLines(consoleCount) });
  return renderCheckRun({ outcome, headSha, trigger: "push", ...extra });
}

const args = (headSha: string, over: Partial<PublishCheckRunArgs> = {}): PublishCheckRunArgs => ({ owner: OWNER, repo: "widgets", headSha, externalId: `42:${headSha}`, status: "completed", ...over });
const batchSizes = (run: CheckRunSnapshot) => run.history.map((h) => ((h.body.output as { annotations?: unknown[] } | undefined)?.annotations ?? []).length);
const onlyRun = (sha: string) => {
  const runs = fake.checkRuns(REPO, sha);
  expect(runs).toHaveLength(1);
  return runs[0]!;
};

describe("publishCheckRun", () => {
  it("with skipIfUnchanged, leaves a completed run that already says the same, and updates one that does not", async () => {
    const sha = await newCommit();
    const same = await rendered(sha, 3);
    const first = await publishCheckRun(client, args(sha, { rendered: same, contentKey: contentKeyOf(same), skipIfUnchanged: true }));
    const again = await publishCheckRun(client, args(sha, { rendered: same, contentKey: contentKeyOf(same), skipIfUnchanged: true }));
    expect(again).toMatchObject({ id: first.id, unchanged: true });
    expect(onlyRun(sha).history).toHaveLength(1);
    const other = await rendered(sha, 2);
    const changed = await publishCheckRun(client, args(sha, { rendered: other, contentKey: contentKeyOf(other), skipIfUnchanged: true }));
    expect(changed.unchanged).toBeUndefined();
    expect(fake.checkRuns(REPO, sha).flatMap((r) => r.history).length).toBeGreaterThan(1);
    // Without the flag (a Re-run), the same content is written again.
    const writes = fake.checkRuns(REPO, sha).flatMap((r) => r.history).length;
    await publishCheckRun(client, args(sha, { rendered: other, contentKey: contentKeyOf(other) }));
    expect(fake.checkRuns(REPO, sha).flatMap((r) => r.history).length).toBeGreaterThan(writes);
  });

  it("creates the run in progress, then completes that same run", async () => {
    const sha = await newCommit();
    const started = await publishCheckRun(prodClient, args(sha, { status: "in_progress", detailsUrl: "https://plumbline.example/runs/1" }));
    let run = onlyRun(sha);
    expect(run).toMatchObject({ id: started.id, name: CHECK_RUN_NAME, status: "in_progress", conclusion: null, externalId: `42:${sha}`, title: "Evaluating…" });
    expect(run.summary).toContain(sha);

    const done = await publishCheckRun(prodClient, args(sha, { rendered: await rendered(sha, 3) }));
    run = onlyRun(sha);
    expect(done).toEqual({ id: started.id, annotationsPosted: 3, annotationsDropped: 0 });
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", title: "3 blocking findings: no-console", detailsUrl: "https://plumbline.example/runs/1" });
    expect(run.history.map((h) => h.op)).toEqual(["create", "update"]);
    expect(run.annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.title])).toEqual([1, 2, 3].map((l) => ["src/a.ts", l, "failure", "no-console"]));
    expect(run.actions).toEqual([]);
  });

  it("posts 120 annotations as 50 + 50 + 20, all accumulated on the run", async () => {
    const sha = await newCommit();
    const r = await rendered(sha, 120);
    const out = await publishCheckRun(client, args(sha, { rendered: r }));
    const run = onlyRun(sha);
    expect(out).toMatchObject({ annotationsPosted: 120, annotationsDropped: 0 });
    expect(batchSizes(run)).toEqual([50, 50, 20]);
    expect(run.history.map((h) => h.op)).toEqual(["create", "update", "update"]);
    expect(run.annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(run.conclusion).toBe("failure");
    // Every batch restates the same output, so no request leaves a half-written summary.
    expect(new Set(run.history.map((h) => JSON.stringify((h.body.output as { summary: string }).summary))).size).toBe(1);
  });

  it("republishing the same external id neither adds a run nor duplicates annotations", async () => {
    const sha = await newCommit();
    const r = await rendered(sha, 120);
    const first = await publishCheckRun(client, args(sha, { rendered: r }));
    const again = await publishCheckRun(client, args(sha, { rendered: r }));
    const run = onlyRun(sha);
    expect(again).toEqual(first);
    expect(run.annotations).toHaveLength(120);
    expect(batchSizes(run)).toEqual([50, 50, 20, 0]);

    // A redelivered job starting over must not reopen the concluded run.
    await publishCheckRun(client, args(sha, { status: "in_progress" }));
    expect(onlyRun(sha)).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(onlyRun(sha).history).toHaveLength(4);
  });

  it("a retry after a crash between batches posts only the missing annotations", async () => {
    const sha = await newCommit();
    const r = await rendered(sha, 120);
    // The second batch fails on every attempt: the job dies with 50 annotations posted.
    const fault = fake.inject({ method: "PATCH", pathPattern: /\/check-runs\/\d+$/, times: 4, status: 500 });
    await expect(publishCheckRun(client, args(sha, { rendered: r }))).rejects.toMatchObject({ status: 500 });
    expect(fault.hits).toBe(4);
    expect(onlyRun(sha).annotations).toHaveLength(50);

    const retried = await publishCheckRun(client, args(sha, { rendered: r }));
    const run = onlyRun(sha);
    expect(retried.annotationsPosted).toBe(120);
    expect(batchSizes(run)).toEqual([50, 50, 20]);
    expect(run.annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it("a 5xx on PATCH is retried by the production client and the run still completes", async () => {
    const sha = await newCommit();
    await publishCheckRun(prodClient, args(sha, { status: "in_progress" }));
    const fault = fake.inject({ method: "PATCH", pathPattern: /\/check-runs\/\d+$/, times: 1, status: 502 });
    fake.clearRequests();
    const out = await publishCheckRun(prodClient, args(sha, { rendered: await rendered(sha, 2) }));
    expect(fault.hits).toBe(1);
    expect(fake.requests.filter((q) => q.method === "PATCH").map((q) => q.status)).toEqual([502, 200]);
    expect(onlyRun(sha)).toMatchObject({ id: out.id, status: "completed", conclusion: "failure" });
    expect(onlyRun(sha).annotations).toHaveLength(2);
  });

  it("a run holding another rendering's annotations is replaced by a fresh run, never appended to", async () => {
    const sha = await newCommit();
    const old = await publishCheckRun(client, args(sha, { rendered: await rendered(sha, 3) }));
    const now = await publishCheckRun(client, args(sha, { rendered: await rendered(sha, 2) }));
    expect(now.id).not.toBe(old.id);
    const runs = fake.checkRuns(REPO, sha).sort((a, b) => a.id - b.id);
    expect(runs.map((r) => r.annotations.length)).toEqual([3, 2]);
    // GitHub judges the commit by the latest run of the name: the new one.
    const latest = await client.rest.checks.listForRef({ owner: OWNER, repo: "widgets", ref: sha, check_name: CHECK_RUN_NAME });
    expect(latest.data.check_runs.map((r) => r.id)).toEqual([now.id]);
  });

  it("a run concluded without annotations (an error) is updated in place by the real verdict", async () => {
    const sha = await newCommit();
    const outcome = await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "x\n" });
    const failed = await publishCheckRun(client, args(sha, { rendered: renderCheckRun({ outcome, headSha: sha, trigger: "push", error: "GitHub unreachable" }) }));
    expect(onlyRun(sha).conclusion).toBe("failure");
    const judged = await publishCheckRun(client, args(sha, { rendered: await rendered(sha, 2) }));
    expect(judged.id).toBe(failed.id);
    expect(onlyRun(sha)).toMatchObject({ conclusion: "failure", title: "2 blocking findings: no-console" });
    expect(onlyRun(sha).annotations).toHaveLength(2);
  });

  it("offers the Re-run action on completed runs, within GitHub's limits", async () => {
    const sha = await newCommit();
    const started = await publishCheckRun(client, args(sha, { status: "in_progress", actions: true }));
    expect(onlyRun(sha).history[0]!.body.actions).toBeUndefined();
    await publishCheckRun(client, args(sha, { rendered: await rendered(sha, 1), actions: true }));
    const run = onlyRun(sha);
    expect(run.id).toBe(started.id);
    expect(run.actions).toEqual([RERUN_ACTION]);
    expect(run.actions.length).toBeLessThanOrEqual(3);
    for (const a of run.actions) {
      expect(a.label.length).toBeLessThanOrEqual(20);
      expect(a.identifier.length).toBeLessThanOrEqual(20);
      expect(a.description.length).toBeLessThanOrEqual(40);
    }
  });

  it("caps annotations at maxAnnotations and counts the rest in the summary", async () => {
    const sha = await newCommit();
    const out = await publishCheckRun(client, args(sha, { rendered: await rendered(sha, 120), maxAnnotations: 60 }));
    const run = onlyRun(sha);
    expect(out).toMatchObject({ annotationsPosted: 60, annotationsDropped: 60 });
    expect(batchSizes(run)).toEqual([50, 10]);
    expect(run.summary).toContain("**60 more annotations not shown**");
  });

  it("concludes a superseded commit as cancelled, naming its successor", async () => {
    const sha = await newCommit();
    const next = await newCommit();
    await publishCheckRun(client, args(sha, { rendered: await rendered(sha, 1, { supersededBy: next }) }));
    expect(onlyRun(sha)).toMatchObject({ conclusion: "cancelled", title: `Superseded by ${next.slice(0, 12)}` });
    expect(onlyRun(sha).annotations).toEqual([]);
  });

  it("refuses to complete a run without output", async () => {
    const sha = await newCommit();
    await expect(publishCheckRun(client, args(sha))).rejects.toThrow(/needs `rendered` output/);
    expect(fake.checkRuns(REPO, sha)).toEqual([]);
  });
});
