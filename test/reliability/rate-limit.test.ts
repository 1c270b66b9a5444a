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

  it("once the budget is known spent, the installation's later jobs wait for the reset without asking GitHub again", async () => {
    rig.fake.setRateLimit(spent.installationId, { remaining: 0, resetInMs: RESET_MS });
    const a = await rig.fake.push(spent.repo, { branch: "first", message: "a", files: { "src/c.ts": CLEAN }, sender: HUMAN });
    // The first job meets the 403 and learns the reset; then more pushes arrive.
    await new Promise((r) => setTimeout(r, 1500));
    const from = rig.fake.requests.length;
    const later = [];
    for (const branch of ["second", "third", "fourth"]) later.push(await rig.fake.push(spent.repo, { branch, message: branch, files: { [`src/${branch}.ts`]: CLEAN }, sender: HUMAN }));
    await new Promise((r) => setTimeout(r, 2000));
    const asked = rig.fake.requests.slice(from).filter((r) => r.installationId === spent.installationId && !r.path.includes("/access_tokens")).length;
    expect(asked, "requests from a spent installation before its reset").toBe(0);
    for (const p of [a, ...later]) expect((await completedRun(rig, spent.repo, p.sha, 30_000)).conclusion).toBe("success");
  }, 60_000);
});
