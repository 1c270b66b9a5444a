import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkQueueCounts, scanKeys } from "./redis-inspect.js";
import { deliveryHeaders, postRaw, sign256 } from "./raw-http.js";
import { DIRTY, sleep, startRig, type Rig } from "./rig.js";

/**
 * The webhook is the gate's only door: anything that is not byte-for-byte what GitHub signed
 * with our secret must be refused with a 4xx and leave no trace (no job, no dedupe claim, no
 * check run). A positive control proves the same probes would see a job that got through.
 */

let rig: Rig;
let repo: string;
let body: string;
let sha: string;

beforeAll(async () => {
  rig = await startRig();
  repo = await rig.repoWithPolicy("acme/ingress");
  // A real commit so a forged push that slipped through would produce a visible check run.
  sha = await rig.fake.commit(repo, { branch: "forged", message: "m", files: { "src/b.ts": DIRTY } });
  body = JSON.stringify(await rig.fake.events.push(repo, { ref: "refs/heads/forged", before: "0".repeat(40), after: sha }));
}, 60_000);
afterAll(async () => rig?.close());

const flipHex = (sig: string, at: number) => sig.slice(0, at) + (sig[at] === "0" ? "1" : "0") + sig.slice(at + 1);

describe("ingress: signatures", () => {
  it("refuses every malformed or forged signature with a 4xx and enqueues nothing", async () => {
    const good = sign256(rig.webhookSecret, body);
    const reserialised = JSON.stringify(JSON.parse(body), null, 2); // same JSON value, other bytes
    const flippedBody = body.replace("refs/heads/forged", "refs/heads/forgee");
    expect(flippedBody).not.toBe(body);
    const cases: Array<{ name: string; signature?: string; send?: string }> = [
      { name: "missing header" },
      { name: "empty header", signature: "" },
      { name: "sha1= prefix with a valid SHA-1 HMAC", signature: `sha1=${createHmac("sha1", rig.webhookSecret).update(body).digest("hex")}` },
      { name: "sha1 digest under the sha256= prefix", signature: `sha256=${createHmac("sha1", rig.webhookSecret).update(body).digest("hex")}` },
      { name: "one hex digit short", signature: good.slice(0, -1) },
      { name: "one hex digit long", signature: `${good}0` },
      { name: "no prefix", signature: good.slice("sha256=".length) },
      { name: "one flipped digit (first)", signature: flipHex(good, 7) },
      { name: "one flipped digit (last)", signature: flipHex(good, good.length - 1) },
      { name: "upper-case hex", signature: `sha256=${good.slice(7).toUpperCase()}` },
      { name: "body re-serialised with other whitespace", signature: good, send: reserialised },
      { name: "one byte of the body changed", signature: good, send: flippedBody },
      { name: "signed with another secret", signature: sign256(`${rig.webhookSecret}x`, body) },
      { name: "signed with Probot's default secret", signature: sign256("development", body) },
    ];
    const results = [];
    for (const c of cases) {
      const headers: Record<string, string> = deliveryHeaders("push", randomUUID());
      if (c.signature !== undefined) headers["x-hub-signature-256"] = c.signature;
      const res = await postRaw(rig.app.web!.webhookUrl, headers, c.send ?? body);
      results.push({ name: c.name, status: res.status });
    }
    for (const r of results) {
      expect(r.status, r.name).toBeGreaterThanOrEqual(400);
      expect(r.status, r.name).toBeLessThan(500);
    }
    // Past the 250 ms debounce: anything accepted would be visible by now.
    await sleep(1500);
    expect((await checkQueueCounts(rig.redisUrl, rig.prefix)).total).toBe(0);
    expect(await scanKeys(rig.redis, `${rig.prefix}:delivery:*`)).toEqual([]);
    expect(rig.fake.checkRuns(repo, sha)).toEqual([]);
  });

  it("control: the same body correctly signed is accepted, enqueued and judged", async () => {
    const res = await postRaw(rig.app.web!.webhookUrl, { ...deliveryHeaders("push", randomUUID()), "x-hub-signature-256": sign256(rig.webhookSecret, body) }, body);
    expect(res.status).toBe(200);
    const counts = await checkQueueCounts(rig.redisUrl, rig.prefix);
    expect(counts.total).toBe(1);
    await sleep(100);
    for (let i = 0; i < 200 && !rig.fake.checkRuns(repo, sha).some((r) => r.status === "completed"); i++) await sleep(100);
    expect(rig.fake.checkRuns(repo, sha)[0]?.conclusion).toBe("failure");
  });
});
