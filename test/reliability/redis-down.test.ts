import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOwnRedis, stopAndClean, type OwnRedis } from "../helpers/redis-server.js";
import { CLEAN, DIRTY, HUMAN, startRig, waitFor, type Rig } from "./rig.js";

/**
 * GitHub waits 10 s for an answer and never retries. When Redis is down the webhook must say
 * so at once (5xx, so the delivery shows as failed and can be redelivered) instead of hanging
 * or answering 2xx for a job it could not store; a redelivery with the same id must then be
 * processed, not swallowed as a duplicate.
 */

let redis: OwnRedis;
let rig: Rig;
let repo: string;

beforeAll(async () => {
  redis = await startOwnRedis();
  // The scheduled redelivery is kept out of the way: this file exercises the manual path.
  rig = await startRig({ redisUrl: redis.url, redeliverEveryMs: 3600_000 });
  repo = await rig.repoWithPolicy("acme/outage");
}, 60_000);
afterAll(async () => {
  await rig?.close();
  if (redis) await stopAndClean(redis);
});

const health = async () => (await fetch(rig.app.web!.webhookUrl.replace(/\/api\/github\/webhooks$/, "/healthz"))).status;

describe("Redis down", () => {
  it("deliveries during the outage are answered 5xx within 1 s, and their redeliveries are all processed", async () => {
    await redis.stop("SIGKILL");
    await waitFor("the health check to report Redis down", async () => (await health()) === 503, 10_000);

    const pushes = [];
    for (let i = 0; i < 6; i++) {
      // One branch each: newest-wins must not collapse them, every one needs its own verdict.
      const p = await rig.fake.push(repo, { branch: `outage-${i}`, message: `m${i}`, files: { "src/x.ts": i % 2 ? DIRTY : CLEAN }, sender: HUMAN });
      pushes.push({ ...p, expected: i % 2 ? "failure" : "success" });
    }
    const answered = pushes.map((p) => ({ status: p.delivery.status, ms: Math.round(p.delivery.ms) }));
    console.info(`[redis-down] answers while Redis was down: ${JSON.stringify(answered)}`);
    for (const a of answered) {
      expect(a.status).toBeGreaterThanOrEqual(500);
      expect(a.ms).toBeLessThan(1000);
    }

    await redis.restart();
    await waitFor("the health check to report Redis up", async () => (await health()) === 200, 15_000);
    const t0 = Date.now();
    for (const p of pushes) {
      const failed = rig.fake.deliveries.find((d) => d.guid === p.delivery.deliveryId && !d.redelivery)!;
      const res = await fetch(`${rig.fake.url}/app/hook/deliveries/${failed.id}/attempts`, { method: "POST", headers: { authorization: `Bearer ${rig.fake.appJwt()}`, accept: "application/vnd.github+json" } });
      expect(res.status).toBe(202);
    }
    await rig.fake.webhooksSettled();
    const redelivered = rig.fake.deliveries.filter((d) => d.redelivery).map((d) => d.statusCode);
    expect(redelivered).toEqual(pushes.map(() => 200));
    for (const p of pushes) {
      const run = await waitFor(`the verdict on ${p.sha.slice(0, 7)}`, () => rig.fake.checkRuns(repo, p.sha).find((r) => r.status === "completed"), 30_000);
      expect(run.conclusion, p.sha).toBe(p.expected);
      expect(rig.fake.checkRuns(repo, p.sha)).toHaveLength(1);
    }
    console.info(`[redis-down] all ${pushes.length} redelivered pushes concluded ${Date.now() - t0} ms after Redis came back`);
  });

  it("a second redelivery of an accepted delivery is a no-op (same id, no second job)", async () => {
    const { sha, delivery } = await rig.fake.push(repo, { branch: "after-outage", message: "m", files: { "src/y.ts": DIRTY }, sender: HUMAN });
    expect(delivery.status).toBe(200);
    await waitFor("the verdict", () => rig.fake.checkRuns(repo, sha).find((r) => r.status === "completed"), 30_000);
    const accepted = rig.fake.deliveries.find((d) => d.guid === delivery.deliveryId)!;
    await fetch(`${rig.fake.url}/app/hook/deliveries/${accepted.id}/attempts`, { method: "POST", headers: { authorization: `Bearer ${rig.fake.appJwt()}` } });
    await rig.fake.webhooksSettled();
    await new Promise((r) => setTimeout(r, 1000));
    expect(rig.fake.checkRuns(repo, sha)[0]!.history.filter((h) => h.op === "create")).toHaveLength(1);
    expect(rig.fake.checkRuns(repo, sha)[0]!.history.length).toBeLessThanOrEqual(3); // create, in_progress → completed, no re-run
  });
});
