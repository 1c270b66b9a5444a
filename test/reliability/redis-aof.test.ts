import { readdirSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlumbline, type RunningPlumbline } from "../../src/runtime/start-plumbline.js";
import { startOwnRedis, stopAndClean, type OwnRedis } from "../helpers/redis-server.js";
import { checkJobPayloads, describeCheckQueue } from "./redis-inspect.js";
import { CLEAN, HUMAN, sleep, startRig, UNCAPPED, waitFor, type Rig } from "./rig.js";
import { tuning } from "./tuning.js";

/**
 * Redis with `appendonly yes`, `appendfsync everysec`. What was acknowledged (webhook answered
 * 2xx) must survive a Redis crash except for the documented fsync window, and whatever falls in
 * that window must be evaluated anyway: the redelivery job finds deliveries answered 2xx just
 * before Redis last started that Redis no longer holds, and asks GitHub for them again.
 *
 * Round 1 SIGKILLs redis-server: Redis writes the AOF (to the OS) before it replies, so nothing
 * acknowledged may be lost. Round 2 simulates the machine dying: the AOF is cut back to its size
 * one second before the kill (what `everysec` guarantees was fsynced).
 */

let redis: OwnRedis;
let rig: Rig;
let workers: RunningPlumbline | null = null;
/**
 * Pushes are spread over several installations: Octokit's throttling runs content-creating
 * requests (check run create/update) one per second per installation, so one installation's
 * ~100 jobs would take minutes to judge however many workers run.
 */
const repos: string[] = [];
const REPOS = 8;

beforeAll(async () => {
  redis = await startOwnRedis(["--appendonly", "yes", "--appendfsync", "everysec"]);
  // No workers while Redis is killed: jobs stay queued, so nothing hides a loss. The workers
  // started afterwards get enough slots for both rounds' ~100 cold evaluations.
  rig = await startRig({ redisUrl: redis.url, workers: false, env: { WORKER_CONCURRENCY: "8", ...UNCAPPED } });
  for (let k = 0; k < REPOS; k++) {
    const { id } = rig.fake.createInstallation({ account: { login: `aof${k}`, type: "Organization" } });
    repos.push(await rig.repoWithPolicy(`aof${k}/app`, id));
  }
}, 60_000);
afterAll(async () => {
  await workers?.close();
  await rig?.close();
  if (redis) await stopAndClean(redis);
});

const aofFile = () => {
  const dir = join(redis.dir, "appendonlydir");
  const incr = readdirSync(dir).filter((f) => f.endsWith(".incr.aof")).sort().at(-1)!;
  return join(dir, incr);
};

interface Accepted {
  readonly repo: string;
  readonly sha: string;
  readonly deliveryId: string;
  readonly at: number;
}

/**
 * The kill comes once this many deliveries are acknowledged and at least KILL_NOT_BEFORE_MS
 * have passed (so the AOF has more than a second of history to cut back in round 2), never on
 * a fixed clock: on a loaded host deliveries are slower, and a kill on a timer would land after
 * too little work to prove anything.
 */
const KILL_AFTER_ACCEPTED = 30;
const KILL_NOT_BEFORE_MS = 1500;

/** Delivers pushes to distinct branches every ~25 ms, kills Redis mid-stream, keeps going a little. */
async function stream(round: string, onKill: () => Promise<void>) {
  const shas = [];
  for (let i = 0; i < tuning.aofPushes; i++) {
    const branch = `${round}-${i}`;
    const repo = repos[i % REPOS]!;
    const sha = await rig.fake.commit(repo, { branch, message: `${round} ${i}`, files: { [`src/${round}-${i}.ts`]: CLEAN } });
    shas.push({ repo, sha, payload: await rig.fake.events.push(repo, { ref: `refs/heads/${branch}`, before: "0".repeat(40), after: sha, sender: HUMAN }) });
  }
  const sizes: Array<[number, number]> = [];
  const sampler = setInterval(() => sizes.push([Date.now(), statSync(aofFile()).size]), 20);
  const accepted: Accepted[] = [];
  const t0 = Date.now();
  let killedAt = 0;
  // The kill runs beside the deliveries, so some of them race it.
  let killing: Promise<void> | null = null;
  const kill = () => {
    killedAt = Date.now();
    killing = onKill();
  };
  for (const { repo, sha, payload } of shas) {
    const d = await rig.fake.deliver("push", payload);
    if (d.status === 200) accepted.push({ repo, sha, deliveryId: d.deliveryId, at: Date.now() });
    if (!killedAt && accepted.length >= KILL_AFTER_ACCEPTED && Date.now() - t0 >= KILL_NOT_BEFORE_MS) kill();
    await sleep(25);
    if (killedAt && Date.now() - killedAt > 300) break;
  }
  if (!killedAt) throw new Error(`${accepted.length} of ${shas.length} deliveries acknowledged in ${Date.now() - t0} ms: too few to kill Redis mid-stream (raise RELIABILITY_AOF_PUSHES)`);
  await killing;
  clearInterval(sampler);
  return { accepted, killedAt, sizes, t0 };
}

const queuedShas = async () => new Set((await checkJobPayloads(rig.redis, rig.prefix)).map((j) => String(j.data.sha)));

describe("Redis restart with AOF everysec", () => {
  it("round 1, redis-server SIGKILLed: no acknowledged job is lost", async () => {
    const { accepted, killedAt } = await stream("kill", () => redis.stop("SIGKILL"));
    await redis.restart();
    await waitFor("Redis back", async () => (await rig.redis.ping().catch(() => "")) === "PONG", 15_000);
    const survived = await queuedShas();
    const lost = accepted.filter((a) => !survived.has(a.sha));
    console.info(`[aof] SIGKILL: ${accepted.length} deliveries acknowledged (the last ${killedAt - accepted.at(-1)!.at} ms before the kill), ${lost.length} lost`);
    expect(accepted.length).toBeGreaterThanOrEqual(KILL_AFTER_ACCEPTED);
    expect(lost).toEqual([]);
  }, 90_000);

  it("round 2, machine crash (AOF cut to its fsynced size): losses stay within the fsync window and are re-evaluated", async () => {
    const { accepted, killedAt, sizes } = await stream("crash", () => redis.stop("SIGKILL"));
    // everysec fsyncs once a second: what was in the file a second before the kill is on disk.
    // The sample taken then (the sampler may lag on a loaded host, so the cut may reach further
    // back: a harsher crash, never a milder one).
    const synced = [...sizes].reverse().find(([t]) => t <= killedAt - 1000)!;
    const before = statSync(aofFile()).size;
    truncateSync(aofFile(), synced[1]);
    await redis.restart();
    await waitFor("Redis back", async () => (await rig.redis.ping().catch(() => "")) === "PONG", 15_000);
    const survived = await queuedShas();
    const lost = accepted.filter((a) => !survived.has(a.sha));
    const oldestLost = lost.length ? Math.max(...lost.map((l) => killedAt - l.at)) : 0;
    console.info(`[aof] crash: AOF cut from ${before} to ${synced[1]} bytes (its size ${killedAt - synced[0]} ms before the kill); ${accepted.length} acknowledged, ${lost.length} lost, the oldest lost one acknowledged ${oldestLost} ms before the kill`);
    expect(lost.length).toBeGreaterThan(0); // the simulation did cut into acknowledged work
    // Redis appends to the AOF before it replies: whatever was acknowledged by the moment of the
    // sample is in the part kept, so only what was acknowledged inside the cut window is lost.
    expect(accepted.filter((a) => a.at <= synced[0]).every((a) => survived.has(a.sha))).toBe(true);
    expect(oldestLost).toBeLessThanOrEqual(killedAt - synced[0]);

    // Workers with the redelivery job come up: every acknowledged push gets its verdict.
    const t0 = Date.now();
    workers = await startPlumbline(rig.config, { web: false, workers: true, prefix: rig.prefix, log: pino({ level: "silent" }), redeliverEveryMs: 1000, reconcileEveryMs: 1000 });
    const judged = (a: Accepted) => rig.fake.checkRuns(a.repo, a.sha).some((r) => r.status === "completed" && r.conclusion === "success");
    try {
      // A liveness bound, not a speed one: ~40 s here (Octokit's throttle allows one check-run
      // write per second per installation), and a loaded host takes several times longer.
      await waitFor("every acknowledged push's verdict", () => accepted.every(judged), 240_000, 200);
    } finally {
      const missing = accepted.filter((a) => !judged(a));
      if (missing.length) {
        const attempts = (guid: string) => rig.fake.deliveries.filter((d) => d.guid === guid).map((d) => d.statusCode);
        console.info(`[aof] not judged: ${JSON.stringify(missing.slice(0, 5).map((m) => ({ sha: m.sha.slice(0, 7), lost: !survived.has(m.sha), attempts: attempts(m.deliveryId), runs: rig.fake.checkRuns(m.repo, m.sha).map((r) => r.status) })))}; queue:\n${await describeCheckQueue(rig.redis, rig.prefix)}\nredis uptime ${/uptime_in_seconds:(\d+)/.exec(await rig.redis.info("server"))?.[1]} s`);
      }
    }
    const redelivered = new Set(rig.fake.deliveries.filter((d) => d.redelivery).map((d) => d.guid));
    console.info(`[aof] all ${accepted.length} acknowledged pushes judged ${Date.now() - t0} ms after the workers started; ${lost.filter((l) => redelivered.has(l.deliveryId)).length}/${lost.length} lost ones came back through redelivery`);
    expect(lost.every((l) => redelivered.has(l.deliveryId))).toBe(true);
  }, 360_000);
});
