import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completedRun, CLEAN, DIRTY, HUMAN, startRig, type Rig } from "./rig.js";

/**
 * One installation spending its hourly budget must not stall the others. With one worker slot,
 * a job that waited for the reset inside the request (Probot's default) held that slot, and
 * every other installation's push waited with it.
 */

const RESET_MS = 6000;
let rig: Rig;
let spent: { repo: string; installationId: number };
let other: string;

beforeAll(async () => {
  rig = await startRig({ env: { WORKER_CONCURRENCY: "1" } });
  const installationId = rig.fake.createInstallation({ account: { login: "spender", type: "Organization" } }).id;
  spent = { repo: await rig.repoWithPolicy("spender/app", installationId), installationId };
  other = await rig.repoWithPolicy("acme/other");
}, 60_000);
afterAll(async () => rig?.close());

describe("primary rate limit exhausted", () => {
  it("the job waits for the reset outside the worker slot, another installation is judged meanwhile, and the run ends with its real verdict", async () => {
    rig.fake.setRateLimit(spent.installationId, { remaining: 0, resetInMs: RESET_MS });
    const t0 = Date.now();
    const a = await rig.fake.push(spent.repo, { branch: "main", message: "a", files: { "src/a.ts": DIRTY }, sender: HUMAN });
    await new Promise((r) => setTimeout(r, 500)); // the spender's job is picked up first
    const b = await rig.fake.push(other, { branch: "main", message: "b", files: { "src/b.ts": CLEAN }, sender: HUMAN });
    const bRun = await completedRun(rig, other, b.sha, 20_000);
    const bAt = Date.now() - t0;
    const aRun = await completedRun(rig, spent.repo, a.sha, 30_000);
    const aAt = Date.now() - t0;
    console.info(`[rate-limit] other installation concluded after ${bAt} ms (${bRun.conclusion}); the spender's run after ${aAt} ms (${aRun.conclusion}, reset ${RESET_MS} ms)`);
    expect(bRun.conclusion).toBe("success");
    expect(bAt).toBeLessThan(RESET_MS);
    // Fail closed is not the answer to an empty budget: it waits and gives the real verdict.
    expect(aRun.conclusion).toBe("failure");
    expect(aRun.annotations.map((x) => x.path)).toContain("src/a.ts");
    expect(aAt).toBeGreaterThanOrEqual(RESET_MS - 1000);
  }, 60_000);
});
