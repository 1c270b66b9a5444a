import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_RUN_NAME, publishCheckRun } from "../../src/github/publish-check-run.js";
import { installationClient } from "../../src/github/github-client.js";
import { startHarness, waitFor, type Harness } from "../helpers/app-harness.js";
import { Redis } from "ioredis";
import { redisKeys } from "../../src/store/redis-keys.js";
import { externalIdOf } from "../../src/queue/process-check-job.js";
import type { CheckJob } from "../../src/queue/check-job.js";

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

describe("reconciler", () => {
  it("concludes a run left in_progress past its deadline, then re-evaluates it to its real verdict", async () => {
    const sha = await h.fake.commit(repo, { branch: "main", message: "init", files: { "invariants/a.yml": POLICY, "src/a.ts": "console.log(1)\n" } });
    const repoId = h.fake.repoId(repo);
    // What a worker SIGKILLed twice leaves behind: an in_progress run and an inflight entry.
    const probot = (await import("../../src/github/github-client.js")).createProbotApp({ appId: h.fake.appId, privateKey: h.fake.privateKeyPem, webhookSecret: h.fake.webhookSecret, baseUrl: h.fake.url });
    const client = await installationClient(probot, h.installationId);
    await publishCheckRun(client, { owner: "acme", repo: "recon", headSha: sha, name: CHECK_RUN_NAME, externalId: externalIdOf(repoId, sha), status: "in_progress" });
    const job: CheckJob = { installationId: h.installationId, repoId, owner: "acme", repo: "recon", sha, branch: null, trigger: "push", deliveryId: "lost", before: null, prNumber: null, baseSha: null, defaultBranch: "main", actor: {}, enqueuedAt: Date.now() };
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    await redis.zadd(redisKeys(h.prefix).inflight(), Date.now() - 1000, JSON.stringify({ job, owner: "acme", repo: "recon", sha }));
    redis.disconnect();

    const failed = await waitFor("the reconciler's conclusion", () => h.fake.checkRuns(repo, sha).find((r) => r.status === "completed" && r.history.some((x) => JSON.stringify(x.body).includes("did not conclude before its deadline"))));
    expect(failed.conclusion).toBe("failure");
    // The re-evaluation then replaces it with the real verdict (failure, with the annotation).
    const real = await waitFor("the re-evaluated verdict", () => h.fake.checkRuns(repo, sha).find((r) => r.status === "completed" && r.annotations.some((a) => a.path === "src/a.ts")));
    expect(real.conclusion).toBe("failure");
    expect(h.fake.checkRuns(repo, sha).every((r) => r.status === "completed")).toBe(true);
  });
});
