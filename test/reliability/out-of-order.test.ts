import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobResult } from "../../src/queue/process-check-job.js";
import { createCheckQueue, enqueueCheck } from "../../src/queue/check-queue.js";
import type { CheckJob } from "../../src/queue/check-job.js";
import { verdictCache } from "../../src/store/verdict-cache.js";
import { CLEAN, DIRTY, HUMAN, sleep, startRig, UNCAPPED, waitFor, type Rig } from "./rig.js";

/**
 * Per branch the newest SHA wins. Jobs for one branch are serialized by BullMQ's
 * deduplication, so an old SHA can only finish after a newer one through a re-evaluation (the
 * reconciler's, which has its own slot) or be resurrected by a late, out-of-order delivery
 * (GitHub guarantees no order). Either way the newer SHA must keep its own, real verdict.
 */

let rig: Rig;
let repo: string;

beforeAll(async () => {
  rig = await startRig({ runDeadlineSeconds: 5, reconcileEveryMs: 500, env: { ...UNCAPPED } });
  repo = await rig.repoWithPolicy("acme/order");
}, 60_000);
afterAll(async () => rig?.close());

const lastWrite = (sha: string) => Math.max(...rig.fake.checkRuns(repo, sha).flatMap((r) => r.history.map((h) => h.at)));
const realVerdict = (sha: string, expected: string) => {
  const runs = rig.fake.checkRuns(repo, sha);
  return runs.length === 1 && runs[0]!.status === "completed" && runs[0]!.conclusion === expected && !/did not conclude|Superseded/i.test(`${runs[0]!.title} ${runs[0]!.summary}`);
};

describe("out-of-order completion", () => {
  it("an old SHA's re-evaluation finishing after the newer SHA's verdict leaves that verdict alone", async () => {
    // A's tree reads take 7 s, twice: the first job overruns the 5 s deadline, the
    // reconciler's re-evaluation starts before B exists, judges A fully, and ends last.
    const a = await rig.fake.commit(repo, { branch: "feature", message: "a", files: { "src/a1.ts": CLEAN } });
    rig.fake.inject({ pathPattern: new RegExp(`/git/trees/${a}`), times: 2, latencyMs: 7000 });
    await rig.fake.deliver("push", await rig.fake.events.push(repo, { ref: "refs/heads/feature", before: "0".repeat(40), after: a, sender: HUMAN }));
    await waitFor("the reconciler's re-evaluation of A", () => rig.fake.checkRuns(repo, a).some((r) => r.history.some((h) => /did not conclude/.test(JSON.stringify(h.body)))), 15_000);
    await sleep(300); // the re-evaluation has started and checked the branch tip: still A
    // The re-evaluation's end, whether or not it writes (a run that already says the same is left alone).
    let reevaluationDone = 0;
    rig.app.workers!.checkWorker.on("completed", (job) => {
      if (job.data.sha === a && job.data.deliveryId.startsWith("reconcile-")) reevaluationDone = Date.now();
    });
    const b = await rig.fake.push(repo, { branch: "feature", message: "b", files: { "src/b1.ts": DIRTY }, sender: HUMAN });
    await waitFor("B's verdict", () => realVerdict(b.sha, "failure"), 30_000);
    const bDone = lastWrite(b.sha);
    await waitFor("A's re-evaluation to finish", () => rig.fake.checkRuns(repo, a).every((r) => r.status === "completed") && reevaluationDone > 0, 30_000);
    await sleep(1000);
    console.info(`[order] A's re-evaluation ended ${reevaluationDone - bDone} ms after B's verdict; A ended ${rig.fake.checkRuns(repo, a).map((r) => `${r.conclusion} "${r.title}"`).join(", ")}`);
    // The race happened, and B is untouched by it.
    expect(reevaluationDone).toBeGreaterThan(bDone);
    expect(realVerdict(b.sha, "failure")).toBe(true);
    expect(lastWrite(b.sha)).toBe(bDone);
    expect(rig.fake.checkRuns(repo, b.sha)[0]!.annotations.every((x) => x.path === "src/b1.ts")).toBe(true);
    // A was judged to the end, so its own real verdict (success) or a superseded run is right.
    expect(["success", "cancelled"]).toContain(rig.fake.checkRuns(repo, a)[0]!.conclusion);
    // The deployment gate's memory of B is B's verdict.
    const remembered = await verdictCache(rig.redis, rig.keys).fresh({ installationId: rig.installationId, repoId: rig.fake.repoId(repo) }, b.sha, (await rig.redis.get(`${rig.keys.repo({ installationId: rig.installationId, repoId: rig.fake.repoId(repo) })}:verdict:${b.sha}`).then((v) => (v ? (JSON.parse(v) as { policyDigest: string }).policyDigest : ""))), Date.now(), 3600_000);
    expect(remembered?.conclusion).toBe("failure");
  }, 90_000);

  it("a late check_suite for the old SHA, delivered after the newer push, does not cost the newer SHA its verdict", async () => {
    // A is being evaluated (slowly) when B is pushed; B waits behind it as the branch's next
    // job. Then GitHub's check_suite.requested for A arrives late, as it may.
    const a = await rig.fake.commit(repo, { branch: "late", message: "a", files: { "src/a2.ts": CLEAN } });
    rig.fake.inject({ pathPattern: new RegExp(`/git/trees/${a}`), times: 1, latencyMs: 2500 });
    await rig.fake.deliver("push", await rig.fake.events.push(repo, { ref: "refs/heads/late", before: "0".repeat(40), after: a, sender: HUMAN }));
    await waitFor("A in progress", () => rig.fake.checkRuns(repo, a).some((r) => r.status === "in_progress"), 10_000);
    const b = await rig.fake.push(repo, { branch: "late", message: "b", files: { "src/b2.ts": DIRTY }, sender: HUMAN });
    const lateSuite = await rig.fake.events.checkSuite(repo, "requested", { headSha: a, sender: HUMAN });
    expect((await rig.fake.deliver("check_suite", lateSuite)).status).toBe(200);
    const ok = await waitFor("B's real verdict", () => realVerdict(b.sha, "failure"), 20_000).catch(() => false);
    console.info(`[order] after a late check_suite for A: B has ${JSON.stringify(rig.fake.checkRuns(repo, b.sha).map((r) => `${r.status}/${r.conclusion}`))}, A has ${JSON.stringify(rig.fake.checkRuns(repo, a).map((r) => `${r.status}/${r.conclusion} "${r.title}"`))}`);
    expect(ok, "the newest push lost its evaluation").toBe(true);
  }, 60_000);

  it("a late delivery for an old SHA that already has its verdict leaves that verdict alone", async () => {
    const a = await rig.fake.push(repo, { branch: "judged", message: "a", files: { "src/a3.ts": CLEAN }, sender: HUMAN });
    await waitFor("A's verdict", () => realVerdict(a.sha, "success"), 20_000);
    // A fast evaluation posts its run once, already concluded (GitHub's 1 s between writes).
    expect(rig.fake.checkRuns(repo, a.sha)[0]!.history.map((h) => (h.body as { status?: string }).status)).toEqual(["completed"]);
    const b = await rig.fake.push(repo, { branch: "judged", message: "b", files: { "src/b3.ts": DIRTY }, sender: HUMAN });
    await waitFor("B's verdict", () => realVerdict(b.sha, "failure"), 20_000);
    const writesBefore = rig.fake.checkRuns(repo, a.sha)[0]!.history.length;
    // GitHub's check_suite.requested for A, delivered late: A is superseded now, but judged.
    const lateSuite = await rig.fake.events.checkSuite(repo, "requested", { headSha: a.sha, sender: HUMAN });
    const lateJob = new Promise<string | null>((resolve) =>
      rig.app.workers!.checkWorker.on("completed", (job, result) => job.data.trigger === "check_suite" && job.data.sha === a.sha && resolve(result.supersededBy)),
    );
    const notice = new Promise<void>((resolve) => rig.app.workers!.noticeWorker.on("completed", (job) => job.data.sha === a.sha && resolve()));
    expect((await rig.fake.deliver("check_suite", lateSuite)).status).toBe(200);
    expect(await lateJob, "the late job saw the newer tip").toBe(b.sha);
    await notice; // the superseded notice for A ran, and must have left A's verdict alone
    const runs = rig.fake.checkRuns(repo, a.sha);
    console.info(`[order] after a late check_suite for the judged A: ${JSON.stringify(runs.map((r) => `${r.status}/${r.conclusion} "${r.title}" (${r.history.length} writes)`))}`);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.history).toHaveLength(writesBefore);
    expect(realVerdict(a.sha, "success")).toBe(true);
    expect(realVerdict(b.sha, "failure")).toBe(true);
  }, 60_000);

  it("a hand-over of a SHA that already has its verdict does not judge it again; the same job without the mark does", async () => {
    const a = await rig.fake.push(repo, { branch: "handed", message: "a", files: { "src/a4.ts": CLEAN }, sender: HUMAN });
    await waitFor("A's verdict", () => realVerdict(a.sha, "success"), 20_000);
    const queue = createCheckQueue({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", maxRetriesPerRequest: null }, rig.prefix);
    const results = new Map<string, JobResult>();
    rig.app.workers!.checkWorker.on("completed", (job, result) => void results.set(job.data.deliveryId, result));
    const job: CheckJob = {
      installationId: rig.installationId, repoId: rig.fake.repoId(repo), owner: "acme", repo: "order", sha: a.sha, branch: "handed", trigger: "push",
      deliveryId: "handed-over", before: null, prNumber: null, baseSha: null, defaultBranch: "main", actor: {}, enqueuedAt: Date.now(), handedOver: true,
    };
    try {
      await enqueueCheck(queue, job, { redis: rig.redis, keys: rig.keys });
      await waitFor("the handed-over job", () => results.has("handed-over"), 20_000);
      await enqueueCheck(queue, { ...job, deliveryId: "not-handed-over", handedOver: undefined }, { redis: rig.redis, keys: rig.keys });
      await waitFor("the unmarked job", () => results.has("not-handed-over"), 20_000);
    } finally {
      await queue.close();
    }
    expect(results.get("handed-over")!.outcome, "judged again").toBeNull();
    expect(results.get("not-handed-over")!.outcome?.type).toBe("verdict");
    expect(realVerdict(a.sha, "success")).toBe(true);
  }, 60_000);
});
