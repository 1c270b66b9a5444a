import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completedRun, DIRTY, HUMAN, startRig, waitFor, type Rig } from "./rig.js";

/**
 * GitHub fails in every way a network service can. A run must still conclude (its real verdict
 * when GitHub recovers, failure with the reason when it does not) and the requests one job
 * makes must stay bounded: retries are a budget, not a storm against a struggling API. Each
 * scenario has its own installation, so its requests can be counted apart while they overlap.
 */

const TIMEOUT_MS = 1500;
let rig: Rig;

beforeAll(async () => {
  // Enough worker slots that the slow scenarios do not queue the fast ones behind them.
  rig = await startRig({ env: { GITHUB_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS), WORKER_CONCURRENCY: "8" }, runDeadlineSeconds: 300 });
}, 60_000);
afterAll(async () => rig?.close());

/** A fresh installation and repository, and a push whose verdict (failure) is known. */
async function scenario(name: string) {
  const { id: installationId } = rig.fake.createInstallation({ account: { login: name, type: "Organization" } });
  const repo = await rig.repoWithPolicy(`${name}/app`, installationId);
  // Distinct content per scenario: the fake's commits are deterministic, and a fault matches by SHA.
  const sha = await rig.fake.commit(repo, { branch: "work", message: `work in ${name}`, files: { "src/w.ts": `${DIRTY}// ${name}\n` } });
  const push = () => rig.fake.events.push(repo, { ref: "refs/heads/work", before: "0".repeat(40), after: sha, sender: HUMAN }).then((p) => rig.fake.deliver("push", p));
  const requests = () => rig.fake.requests.filter((r) => r.installationId === installationId);
  return { repo, sha, push, requests, treePath: new RegExp(`/git/trees/${sha}`) };
}

const summary = (label: string, s: Awaited<ReturnType<typeof scenario>>, t0: number) => {
  const reqs = s.requests();
  const faults = reqs.filter((r) => r.fault).length;
  const run = rig.fake.checkRuns(s.repo, s.sha)[0];
  console.info(`[faults] ${label}: ${run?.conclusion} "${run?.title}" after ${Math.round((Date.now() - t0) / 1000)} s, ${reqs.length} installation requests (${faults} answered by the fault, ${reqs.filter((r) => r.status === 401).length} × 401)`);
  return reqs;
};

describe.concurrent("GitHub faults", () => {
  it("a transient 502 on the tree is ridden out: real verdict, few extra requests", async () => {
    const s = await scenario("transient");
    rig.fake.inject({ pathPattern: s.treePath, times: 2, status: 502 });
    const t0 = Date.now();
    await s.push();
    const run = await completedRun(rig, s.repo, s.sha, 60_000);
    const reqs = summary("2 × 502 on the tree", s, t0);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations.map((a) => a.path)).toContain("src/w.ts");
    expect(reqs.length).toBeLessThan(30);
  }, 90_000);

  it("GitHub answering 503 for good: failure naming the status, after a bounded number of requests", async () => {
    const s = await scenario("down");
    rig.fake.inject({ pathPattern: s.treePath, times: 1e9, status: 503 });
    const t0 = Date.now();
    await s.push();
    const run = await completedRun(rig, s.repo, s.sha, 150_000);
    const reqs = summary("503 for good on the tree", s, t0);
    expect(run.conclusion).toBe("failure");
    expect(`${run.title} ${run.summary}`).toMatch(/503/);
    // 4 BullMQ attempts × (1 + 3 client retries) on the failing call; everything else is small.
    expect(reqs.filter((r) => s.treePath.test(r.path)).length).toBeLessThanOrEqual(16);
    expect(reqs.length).toBeLessThan(60);
  }, 180_000);

  it(`a request stalled past the client timeout (${TIMEOUT_MS} ms) is abandoned and retried`, async () => {
    const s = await scenario("stall");
    rig.fake.inject({ pathPattern: s.treePath, times: 1, latencyMs: 20_000 });
    const t0 = Date.now();
    await s.push();
    const run = await completedRun(rig, s.repo, s.sha, 30_000);
    summary("tree stalled 20 s once", s, t0);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations.map((a) => a.path)).toContain("src/w.ts");
    // Without a client timeout the job would have waited for the 20 s answer (undici: up to 300 s).
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 60_000);

  it("a secondary rate limit with retry-after: concluded, and the next request waits out retry-after", async () => {
    const s = await scenario("throttled");
    const retryAfter = 3;
    rig.fake.inject({ pathPattern: s.treePath, times: 1, secondaryRateLimit: { retryAfterSeconds: retryAfter } });
    const t0 = Date.now();
    await s.push();
    const run = await completedRun(rig, s.repo, s.sha, 60_000);
    const reqs = summary(`secondary rate limit, retry-after ${retryAfter}`, s, t0);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations.map((a) => a.path)).toContain("src/w.ts");
    const limited = reqs.find((r) => r.fault === "secondaryRateLimit")!;
    const next = reqs.find((r) => r.at > limited.at && r.installationId !== undefined)!;
    console.info(`[faults] next request ${next.at - limited.at} ms after the secondary rate limit (retry-after ${retryAfter * 1000} ms)`);
    expect(next.at - limited.at).toBeGreaterThanOrEqual(retryAfter * 1000 - 100);
  }, 90_000);

});

// fake.expireTokens() expires every installation's token, so this one runs alone.
describe("GitHub faults: credentials", () => {
  it("the installation token expiring mid-job: the run still concludes with its real verdict", async () => {
    const s = await scenario("expiry");
    const before = rig.fake.requests.length;
    // The tree read is slow; the token dies while it is in flight, so every later request of
    // the job (blobs, check run) presents a token GitHub no longer accepts.
    const slow = rig.fake.inject({ pathPattern: s.treePath, times: 1, latencyMs: 1500 });
    const t0 = Date.now();
    await s.push();
    await waitFor("the job's tree read in flight", () => slow.hits === 1, 20_000, 10);
    rig.fake.expireTokens();
    const run = await completedRun(rig, s.repo, s.sha, 60_000);
    const reqs = summary("token expired mid-job", s, t0);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations.map((a) => a.path)).toContain("src/w.ts");
    // A rejected token is recorded without an installation id: count every 401 (this test runs alone).
    const unauthorized = rig.fake.requests.slice(before).filter((r) => r.status === 401).length;
    console.info(`[faults] token expired mid-job: ${unauthorized} request(s) answered 401, then one new token`);
    expect(unauthorized, "the token did expire under the job").toBeGreaterThan(0);
    expect(unauthorized).toBeLessThanOrEqual(4);
  }, 90_000);
});
