import { afterAll, describe, expect, it } from "vitest";
import type { CheckJob } from "../../src/queue/check-job.js";
import { pickUpForEvaluation } from "../../src/queue/pick-up.js";
import { scratchRedis } from "../store/scratch-redis.js";

const SHA = "a".repeat(40);
const scope = { installationId: 1, repoId: 2 };
const job = (over: Partial<CheckJob>): CheckJob => ({
  installationId: 1, repoId: 2, owner: "acme", repo: "app", sha: SHA, branch: "main", trigger: "push", deliveryId: "d-push", before: "b".repeat(40),
  prNumber: null, baseSha: null, defaultBranch: "main", actor: {}, enqueuedAt: 1, ...over,
});
const member = (j: CheckJob, sha = SHA) => JSON.stringify({ job: j, owner: "acme", repo: "app", sha });

const scratch = scratchRedis();
afterAll(async () => scratch.drop());

describe("picking up a SHA for evaluation", () => {
  it("leaves a SHA to the evaluation already in flight for another delivery, unless asked to re-run", async () => {
    const { redis, keys } = scratch;
    const pushJob = job({});
    await redis.zadd(keys.pendingShas(scope, "main"), 1, SHA);
    await redis.hset(keys.pendingJobs(scope, "main"), SHA, JSON.stringify(pushJob));

    expect(await pickUpForEvaluation(redis, keys, scope, pushJob, SHA, 1000, member(pushJob))).toBe(true);
    expect(await redis.zscore(keys.inflight(), member(pushJob))).toBe("1000");
    expect(await redis.zscore(keys.pendingShas(scope, "main"), SHA)).toBeNull();
    expect(await redis.hget(keys.pendingJobs(scope, "main"), SHA)).toBeNull();

    // GitHub's check_suite.requested for the same push: the push's evaluation writes the run.
    const suite = job({ trigger: "check_suite", deliveryId: "d-suite", before: null });
    expect(await pickUpForEvaluation(redis, keys, scope, suite, SHA, 2000, member(suite))).toBe(false);
    expect(await redis.zscore(keys.inflight(), member(suite))).toBeNull();
    // The same commit pushed to another branch, and a schedule without a branch: also left to it.
    expect(await pickUpForEvaluation(redis, keys, scope, job({ branch: "agent/x", deliveryId: "d-other" }), SHA, 2000, member(job({ branch: "agent/x", deliveryId: "d-other" })))).toBe(false);
    expect(await pickUpForEvaluation(redis, keys, scope, job({ branch: null, trigger: "schedule", deliveryId: "d-sched" }), SHA, 2000, "x")).toBe(false);

    // A retry of the in-flight job itself (same delivery, even with other facts) runs, and a Re-run always does.
    const retry = job({ actor: { branch: "main" } });
    expect(await pickUpForEvaluation(redis, keys, scope, retry, SHA, 3000, member(retry))).toBe(true);
    const rerun = job({ trigger: "check_suite", rerun: true, deliveryId: "d-rerun" });
    expect(await pickUpForEvaluation(redis, keys, scope, rerun, SHA, 4000, member(rerun))).toBe(true);

    // Another SHA, or the same SHA in another repository, is not in flight.
    const other = job({ sha: "c".repeat(40), deliveryId: "d-c" });
    expect(await pickUpForEvaluation(redis, keys, scope, other, "c".repeat(40), 5000, member(other, "c".repeat(40)))).toBe(true);
    const elsewhere = job({ repoId: 3, deliveryId: "d-r3" });
    expect(await pickUpForEvaluation(redis, keys, { installationId: 1, repoId: 3 }, elsewhere, SHA, 5000, member(elsewhere))).toBe(true);

    // Once the evaluations in flight are done (their entries removed), the next delivery picks it up.
    await redis.del(keys.inflight());
    expect(await pickUpForEvaluation(redis, keys, scope, suite, SHA, 6000, member(suite))).toBe(true);
  });
});
