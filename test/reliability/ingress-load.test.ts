import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryHeaders, sign256, streamBody } from "./raw-http.js";
import { checkQueueCounts } from "./redis-inspect.js";
import { completedRun, DIRTY, HUMAN, sleep, startRig, type Rig } from "./rig.js";
import { tuning } from "./tuning.js";
import { ensureBuilt, spawnPlumbline, type PlumblineProcess } from "./worker-process.js";

/**
 * GitHub may deliver one event several times (redelivery, retries on its side) and anyone can
 * send us anything. One delivery id must give one job and one check run however many copies
 * race; a body over GitHub's 25 MB must be refused before it is buffered or parsed.
 */

let rig: Rig;
let server: PlumblineProcess;
let repo: string;

beforeAll(async () => {
  ensureBuilt();
  rig = await startRig({ web: false, workers: true });
  repo = await rig.repoWithPolicy("acme/load");
  // The webhook server as its own process, so its memory is measured apart from the test's.
  server = spawnPlumbline("serve", rig.childEnv({ WORKER_CONCURRENCY: "1" }));
  await server.ready;
  rig.fake.setWebhookTarget(server.webhookUrl());
}, 240_000);
afterAll(async () => {
  await server?.kill();
  await rig?.close();
});

describe("ingress under load", () => {
  it(`one delivery id delivered ${tuning.flood}× concurrently gives one job and one check run`, async () => {
    const sha = await rig.fake.commit(repo, { branch: "flood", message: "m", files: { "src/f.ts": DIRTY } });
    const payload = await rig.fake.events.push(repo, { ref: "refs/heads/flood", before: "0".repeat(40), after: sha, sender: HUMAN });
    const deliveryId = randomUUID();
    const results = await Promise.all(Array.from({ length: tuning.flood }, () => rig.fake.deliver("push", payload, { deliveryId })));
    const statuses = [...new Set(results.map((r) => r.status))];
    console.info(`[ingress] ${tuning.flood} copies answered ${statuses.join(",")}; slowest ${Math.round(Math.max(...results.map((r) => r.ms)))} ms`);
    expect(statuses).toEqual([200]);
    const run = await completedRun(rig, repo, sha, 30_000);
    expect(run.conclusion).toBe("failure");
    await sleep(1500); // a duplicate job would have been picked up by now
    expect((await checkQueueCounts(rig.redisUrl, rig.prefix)).total).toBe(1);
    const runs = rig.fake.checkRuns(repo, sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.history.filter((h) => h.op === "create")).toHaveLength(1);
  });

  const big = tuning.bigBodyMiB * 1024 * 1024;
  const headers = () => ({ ...deliveryHeaders("push", randomUUID()), "x-hub-signature-256": sign256(rig.webhookSecret, "{}") });
  // Peak RSS (VmHWM) can only grow, so a body that was buffered or parsed shows up in it.
  const measured = async (mode: "content-length" | "chunked" | "lying") => {
    const before = server.memory();
    const res = await streamBody(server.webhookUrl(), headers(), big, mode);
    await sleep(200);
    const after = server.memory();
    const growthMiB = (after.peakKiB - before.peakKiB) / 1024;
    console.info(`[ingress] ${mode} body of ${tuning.bigBodyMiB} MiB: ${res.status} after ${Math.round(res.ms)} ms, ${(res.bytesSent / 1048576).toFixed(1)} MiB sent, peak RSS ${(before.peakKiB / 1024).toFixed(0)} → ${(after.peakKiB / 1024).toFixed(0)} MiB`);
    return { res, growthMiB };
  };

  it("an oversized body with an honest Content-Length is refused (413) before it is read", async () => {
    const { res, growthMiB } = await measured("content-length");
    expect(res.status).toBe(413);
    expect(res.ms).toBeLessThan(2000);
    expect(growthMiB).toBeLessThan(10);
  });

  it("a chunked body without Content-Length is refused (411), unbuffered", async () => {
    const { res, growthMiB } = await measured("chunked");
    expect(res.status).toBe(411);
    expect(growthMiB).toBeLessThan(10);
  });

  it("a Content-Length that lies (1000 declared, far more sent) reads only what was declared", async () => {
    const { res, growthMiB } = await measured("lying");
    // The first 1000 bytes are the body (bad signature); the rest is not a valid next request.
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(growthMiB).toBeLessThan(10);
    expect((await checkQueueCounts(rig.redisUrl, rig.prefix)).total).toBe(1); // only the flood's job
  });
});
