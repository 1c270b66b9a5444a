import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type GitHubClient } from "../../src/github/github-client.js";
import { CHECK_RUN_NAME, publishCheckRun, type PublishCheckRunArgs } from "../../src/github/publish-check-run.js";
import { renderCheckRun } from "../../src/github/render-check-run.js";
import { publishRunExclusively } from "../../src/queue/run-write-lock.js";
import { isReconcileNotice } from "../../src/queue/stand-in-runs.js";
import { LockTimeoutError, withRedisLock } from "../../src/store/redis-lock.js";
import { createFakeGitHub, type FakeGitHub } from "../fake-github/index.js";
import { scratchRedis, type ScratchRedis } from "../store/scratch-redis.js";

const OWNER = "acme";
const REPO = `${OWNER}/widgets`;
let fake: FakeGitHub;
let client: GitHubClient;
let s: ScratchRedis;
let installationId: number;
let commits = 0;

beforeAll(async () => {
  s = scratchRedis();
  fake = await createFakeGitHub();
  installationId = fake.createInstallation({ account: { login: OWNER, type: "Organization" } }).id;
  await fake.createRepo(installationId, { owner: OWNER, name: "widgets" });
  // No write spacing: the race is between writers, not the throttle.
  client = new ProbotOctokit({ auth: { token: fake.installationToken(installationId) }, baseUrl: fake.url, log: silentLogger(), retry: { enabled: false }, throttle: { enabled: false } });
});
afterAll(async () => {
  await fake.close();
  await s.drop();
});

async function newCommit(): Promise<string> {
  commits += 1;
  return fake.commit(REPO, { branch: "main", message: `commit ${commits}`, files: { [`notes/${commits}.txt`]: `${commits}\n` } });
}

const base = (sha: string): Omit<PublishCheckRunArgs, "rendered"> => ({ owner: OWNER, repo: "widgets", headSha: sha, name: CHECK_RUN_NAME, externalId: `7:${sha}`, status: "completed" });
const verdict = (sha: string): PublishCheckRunArgs => ({ ...base(sha), rendered: renderCheckRun({ outcome: { type: "no-policy", policyFrom: sha }, headSha: sha, trigger: "push" }), actions: true });
const notice = (sha: string): PublishCheckRunArgs => ({
  ...base(sha),
  rendered: renderCheckRun({ outcome: { type: "no-policy", policyFrom: sha }, headSha: sha, trigger: "push", supersededBy: "f".repeat(40) }),
  replaceCompleted: (run) => isReconcileNotice(run.summary),
});
/** Every listing of check runs answers late, so two writers both look before either creates. */
const slowLookups = () => fake.inject({ method: "GET", pathPattern: /\/check-runs/, times: 2, latencyMs: 150 });

describe("publishRunExclusively", () => {
  it("the race it closes is real: two unlocked writers of one SHA create two runs", async () => {
    const sha = await newCommit();
    slowLookups();
    await Promise.all([publishCheckRun(client, verdict(sha)), publishCheckRun(client, notice(sha))]);
    expect(fake.checkRuns(REPO, sha)).toHaveLength(2);
  });

  it("a superseded notice racing the SHA's own verdict leaves one run, and it is the verdict", async () => {
    for (const noticeFirst of [true, false]) {
      const sha = await newCommit();
      slowLookups();
      const scope = { installationId, repoId: 7 };
      const writers = noticeFirst ? [notice(sha), verdict(sha)] : [verdict(sha), notice(sha)];
      await Promise.all(writers.map((w) => publishRunExclusively(s, scope, client, w)));
      const runs = fake.checkRuns(REPO, sha);
      expect(runs).toHaveLength(1);
      // The notice never replaces a verdict; the verdict replaces a notice.
      expect(runs[0]!.conclusion).toBe("neutral");
      expect(runs[0]!.title).toBe("No invariants to enforce");
    }
  });

  it("locks per repository: another repository's writer of the same SHA is not held up", async () => {
    const key = (repoId: number) => s.keys.runLock({ installationId, repoId }, "a".repeat(40), CHECK_RUN_NAME);
    expect(key(1)).not.toBe(key(2));
    const order: string[] = [];
    let release!: () => void;
    const held = withRedisLock(s.redis, key(1), { ttlMs: 5000, waitMs: 5000, what: "repo 1" }, () => new Promise<void>((r) => (release = r)).then(() => void order.push("repo 1")));
    await new Promise((r) => setTimeout(r, 50));
    await withRedisLock(s.redis, key(2), { ttlMs: 5000, waitMs: 100, what: "repo 2" }, async () => void order.push("repo 2"));
    release();
    await held;
    expect(order).toEqual(["repo 2", "repo 1"]);
  });
});

describe("withRedisLock", () => {
  it("a live holder keeps the lock past its TTL; the waiter enters only after it is done", async () => {
    const key = `${s.keys.prefix}:lock:slow`;
    const events: string[] = [];
    const slow = withRedisLock(s.redis, key, { ttlMs: 150, waitMs: 2000, what: "slow" }, async () => {
      events.push("slow in");
      await new Promise((r) => setTimeout(r, 600));
      events.push("slow out");
    });
    await new Promise((r) => setTimeout(r, 20));
    await withRedisLock(s.redis, key, { ttlMs: 150, waitMs: 2000, what: "second" }, async () => void events.push("second in"));
    await slow;
    expect(events).toEqual(["slow in", "slow out", "second in"]);
  });

  it("a holder that died frees the lock after its TTL; a waiter that cannot outlast it gets a clear error", async () => {
    const key = `${s.keys.prefix}:lock:dead`;
    await s.redis.set(key, "someone-who-crashed", "PX", 300);
    await expect(withRedisLock(s.redis, key, { ttlMs: 1000, waitMs: 50, what: "the run of x" }, async () => 1)).rejects.toThrow(LockTimeoutError);
    await expect(withRedisLock(s.redis, key, { ttlMs: 1000, waitMs: 50, what: "the run of x" }, async () => 1)).rejects.toThrow(/the run of x is locked by another worker for more than 50 ms/);
    const t0 = Date.now();
    expect(await withRedisLock(s.redis, key, { ttlMs: 1000, waitMs: 2000, what: "the run of x" }, async () => "got it")).toBe("got it");
    expect(Date.now() - t0).toBeLessThan(1500);
    // Released by its holder: nothing is left behind.
    expect(await s.redis.exists(key)).toBe(0);
  });

  it("releases the lock when the work throws, and passes the error on", async () => {
    const key = `${s.keys.prefix}:lock:throws`;
    await expect(withRedisLock(s.redis, key, { ttlMs: 5000, waitMs: 100, what: "x" }, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await s.redis.exists(key)).toBe(0);
  });
});
