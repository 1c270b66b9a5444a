import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProbotApp } from "../../src/github/github-client.js";
import { MAX_REDELIVERIES, redeliverFailed } from "../../src/github/redeliver-failed.js";
import { MAINTENANCE_QUEUE } from "../../src/queue/start-workers.js";
import { startOwnRedis, stopAndClean, type OwnRedis } from "../helpers/redis-server.js";
import { CLEAN, DIRTY, HUMAN, sleep, startRig, waitFor, type Rig } from "./rig.js";

/**
 * Nobody should have to click "Redeliver" after an outage. The maintenance job lists the app's
 * deliveries (app JWT), redelivers failed ones under their own ids, and is bounded: each id at
 * most MAX_REDELIVERIES times, never one that already succeeded, a 4xx or one over 3 days old.
 */

let redis: OwnRedis;
let rig: Rig;
let repo: string;
let gate: Server;
/** Delivery ids the receiver in front of the app answers 503, whatever the app would say. */
const broken = new Set<string>();

beforeAll(async () => {
  redis = await startOwnRedis();
  rig = await startRig({ redisUrl: redis.url, redeliverEveryMs: 1000 });
  repo = await rig.repoWithPolicy("acme/redeliver");
  // A receiver in front of the app that can keep failing chosen deliveries (a broken proxy).
  gate = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      if (broken.has(String(req.headers["x-github-delivery"]))) return void res.writeHead(503).end("down");
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length", "connection"].includes(k)).map(([k, v]) => [k, String(v)]));
      const upstream = await fetch(rig.app.web!.webhookUrl, { method: "POST", headers, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status).end(await upstream.text());
    });
  });
  await new Promise<void>((r) => gate.listen(0, "127.0.0.1", r));
  rig.fake.setWebhookTarget(`http://127.0.0.1:${(gate.address() as AddressInfo).port}/`);
}, 60_000);
afterAll(async () => {
  gate?.close();
  await rig?.close();
  if (redis) await stopAndClean(redis);
});

const attemptsOf = (guid: string) => rig.fake.deliveries.filter((d) => d.guid === guid);

describe("automatic redelivery of failed deliveries", () => {
  it("is registered on the maintenance scheduler", async () => {
    const q = new Queue(MAINTENANCE_QUEUE, { connection: { url: redis.url }, prefix: rig.prefix });
    expect((await q.getJobScheduler("redeliver"))?.every).toBe(1000);
    await q.close();
  });

  it("after a Redis outage, every push answered 5xx is redelivered and judged without anyone acting", async () => {
    await redis.stop("SIGKILL");
    const pushes = [];
    for (let i = 0; i < 4; i++) {
      const p = await rig.fake.push(repo, { branch: `auto-${i}`, message: `m${i}`, files: { "src/x.ts": i % 2 ? DIRTY : CLEAN }, sender: HUMAN });
      // Fail fast (producer: no offline queue), so GitHub records a failure it can redeliver.
      expect(p.delivery.status).toBeGreaterThanOrEqual(500);
      expect(p.delivery.ms).toBeLessThan(1000);
      pushes.push({ ...p, expected: i % 2 ? "failure" : "success" });
    }
    console.info(`[redeliver] answers while Redis was down: ${pushes.map((p) => `${p.delivery.status} in ${Math.round(p.delivery.ms)} ms`).join(", ")}`);
    // Restarted empty (no persistence): the schedulers must come back on their own too.
    await redis.restart();
    const t0 = Date.now();
    for (const p of pushes) {
      const run = await waitFor(`the verdict on ${p.sha.slice(0, 7)}`, () => rig.fake.checkRuns(repo, p.sha).find((r) => r.status === "completed"), 60_000);
      expect(run.conclusion).toBe(p.expected);
    }
    console.info(`[redeliver] ${pushes.length} failed deliveries redelivered and judged ${Date.now() - t0} ms after Redis restarted`);
    await sleep(3000); // a few more scheduler rounds: nothing is redelivered twice once it succeeded
    for (const p of pushes) {
      expect(attemptsOf(p.delivery.deliveryId).map((d) => d.statusCode)).toEqual([500, 200]);
    }
  });

  it(`a delivery that keeps failing is redelivered at most ${MAX_REDELIVERIES} times`, async () => {
    const sha = await rig.fake.commit(repo, { branch: "cursed", message: "m", files: { "src/c.ts": CLEAN } });
    const payload = await rig.fake.events.push(repo, { ref: "refs/heads/cursed", before: "0".repeat(40), after: sha });
    broken.add("cursed-delivery");
    expect((await rig.fake.deliver("push", payload, { deliveryId: "cursed-delivery" })).status).toBe(503);
    await waitFor("the redeliveries", () => attemptsOf("cursed-delivery").length === 1 + MAX_REDELIVERIES, 20_000);
    await sleep(4000);
    await rig.fake.webhooksSettled();
    expect(attemptsOf("cursed-delivery")).toHaveLength(1 + MAX_REDELIVERIES);
    // Once the receiver heals, the delivery is past its budget: a person redelivers it (and it works).
    broken.delete("cursed-delivery");
  });

  it("redelivers neither 4xx answers nor deliveries older than 3 days, and counts its requests", async () => {
    const sha = await rig.fake.commit(repo, { branch: "forged", message: "m", files: { "src/f.ts": CLEAN } });
    const payload = await rig.fake.events.push(repo, { ref: "refs/heads/forged", before: "0".repeat(40), after: sha });
    const forged = await rig.fake.deliver("push", payload, { signature: "sha256=" + "0".repeat(64), deliveryId: "forged-delivery" });
    expect(forged.status).toBe(400);
    broken.add("stale-delivery");
    await rig.fake.deliver("push", payload, { deliveryId: "stale-delivery" });
    const probot = createProbotApp({ appId: rig.fake.appId, privateKey: rig.fake.privateKeyPem, webhookSecret: rig.webhookSecret, baseUrl: rig.fake.url });
    const { Redis } = await import("ioredis");
    const client = new Redis(redis.url);
    const deps = { probot, redis: client, keys: rig.keys, log: pino({ level: "silent" }) };
    // The app's own redelivery job runs every second here; its requests must not be counted.
    await rig.app.workers!.maintenanceWorker.pause();
    const before = rig.fake.requests.length;
    // Four days on, the stale delivery is outside GitHub's 3-day window.
    const later = await redeliverFailed({ ...deps, now: () => new Date(Date.now() + 4 * 24 * 3600_000) });
    expect(later.redelivered).toEqual([]);
    const requests = rig.fake.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    console.info(`[redeliver] one run over ${later.scanned} deliveries in ${later.pages} page(s): ${requests.length} requests`);
    expect(requests.every((r) => r.startsWith("GET /app/hook/deliveries") || r.startsWith("POST /app/hook/deliveries/"))).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(later.pages + later.redelivered.length);
    rig.app.workers!.maintenanceWorker.resume();
    await sleep(2500);
    expect(attemptsOf("forged-delivery")).toHaveLength(1);
    client.disconnect();
  });
});
