import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_RUN_NAME, publishCheckRun } from "../../src/github/publish-check-run.js";
import { createProbotApp, installationClient } from "../../src/github/github-client.js";
import { REDIS_URL, startHarness, waitFor, type Harness } from "../helpers/app-harness.js";
import { Redis } from "ioredis";
import { redisKeys } from "../../src/store/redis-keys.js";
import { externalIdOf } from "../../src/queue/process-check-job.js";
import type { CheckJob } from "../../src/queue/check-job.js";
import { reconcileOnce, type ReconcileDeps } from "../../src/queue/reconciler.js";
import { startPlumbline } from "../../src/runtime/start-plumbline.js";

const POLICY = `version: 1
invariants:
  - id: no-console
    kind: content
    why: Findings are data.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
`;

let h: Harness;
const repo = "acme/recon";

beforeAll(async () => {
  h = await startHarness({ reconcileEveryMs: 500 });
  await h.fake.createRepo(h.installationId, { owner: "acme", name: "recon" });
}, 60_000);
afterAll(async () => h?.close());

/** What a worker SIGKILLed twice leaves behind: an in_progress run and an inflight entry past its deadline. */
async function strandedRun(harness: Harness, fullName: string, message: string): Promise<string> {
  const [owner, name] = fullName.split("/") as [string, string];
  const sha = await harness.fake.commit(fullName, { branch: "main", message, files: { "invariants/a.yml": POLICY, "src/a.ts": "console.log(1)\n" } });
  const repoId = harness.fake.repoId(fullName);
  const probot = createProbotApp({ appId: harness.fake.appId, privateKey: harness.fake.privateKeyPem, webhookSecret: harness.fake.webhookSecret, baseUrl: harness.fake.url });
  const client = await installationClient(probot, harness.installationId);
  await publishCheckRun(client, { owner, repo: name, headSha: sha, name: CHECK_RUN_NAME, externalId: externalIdOf(repoId, sha), status: "in_progress" });
  const job: CheckJob = { installationId: harness.installationId, repoId, owner, repo: name, sha, branch: null, trigger: "push", deliveryId: "lost", before: null, prNumber: null, baseSha: null, defaultBranch: "main", actor: {}, enqueuedAt: Date.now() };
  const redis = new Redis(REDIS_URL);
  await redis.zadd(redisKeys(harness.prefix).inflight(), Date.now() - 1000, JSON.stringify({ job, owner, repo: name, sha }));
  redis.disconnect();
  return sha;
}

const reconciledNotice = (harness: Harness, fullName: string, sha: string) =>
  harness.fake.checkRuns(fullName, sha).find((r) => r.status === "completed" && r.history.some((x) => JSON.stringify(x.body).includes("did not conclude before its deadline")));

describe("reconciler", () => {
  it("concludes a run left in_progress past its deadline, then re-evaluates it to its real verdict", async () => {
    const sha = await strandedRun(h, repo, "init");
    const failed = await waitFor("the reconciler's conclusion", () => reconciledNotice(h, repo, sha));
    expect(failed.conclusion).toBe("failure");
    // The re-evaluation then replaces it with the real verdict (failure, with the annotation).
    const real = await waitFor("the re-evaluated verdict", () => h.fake.checkRuns(repo, sha).find((r) => r.status === "completed" && r.annotations.some((a) => a.path === "src/a.ts")));
    expect(real.conclusion).toBe("failure");
    expect(h.fake.checkRuns(repo, sha).every((r) => r.status === "completed")).toBe(true);
  });

  it("a worker that starts reconciles at once, not at the next tick", async () => {
    // The schedule exists already (an earlier process made it, and its first tick has passed)
    // and ticks next in an hour: what concludes the run is the pass the starting process makes
    // (it may be replacing one that died mid-job).
    const quiet = await startHarness({ workers: false });
    const start = () => startPlumbline(quiet.config, { web: false, workers: true, prefix: quiet.prefix, log: pino({ level: "silent" }), reconcileEveryMs: 3_600_000 });
    const workers: Array<{ close(): Promise<void> }> = [];
    try {
      await quiet.fake.createRepo(quiet.installationId, { owner: "acme", name: "restart" });
      const earlier = await start();
      await new Promise((r) => setTimeout(r, 1000));
      await earlier.close();
      const sha = await strandedRun(quiet, "acme/restart", "stranded");
      const t0 = Date.now();
      workers.push(await start());
      const failed = await waitFor("the starting worker's conclusion", () => reconciledNotice(quiet, "acme/restart", sha), 10_000);
      expect(failed.conclusion).toBe("failure");
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      for (const w of workers) await w.close();
      await quiet.close();
    }
  });

  it("runs one pass at a time: a pass that finds another running leaves the work to it", async () => {
    const redis = new Redis(REDIS_URL);
    const keys = redisKeys(`pltest-recon-lock-${Date.now()}`);
    // A malformed entry is dropped by whichever pass reads it, without any GitHub call.
    const deps = { redis, keys, log: pino({ level: "silent" }), now: () => new Date() } as unknown as ReconcileDeps;
    try {
      await redis.zadd(keys.inflight(), Date.now() - 1000, "not json");
      await redis.set(keys.reconcileLock(), "another pass", "PX", 10_000);
      await reconcileOnce(deps);
      expect(await redis.zcard(keys.inflight()), "left to the pass holding the lock").toBe(1);
      await redis.del(keys.reconcileLock());
      await reconcileOnce(deps);
      expect(await redis.zcard(keys.inflight())).toBe(0);
      expect(await redis.exists(keys.reconcileLock()), "released after the pass").toBe(0);
    } finally {
      await redis.del(keys.inflight(), keys.reconcileLock());
      redis.disconnect();
    }
  });
});
