import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkLedger, TEST_LEDGER_KEY } from "./ledger-check.js";
import { describeCheckQueue } from "./redis-inspect.js";
import { CLEAN, DIRTY, HUMAN, sleep, startRig, waitFor, type Rig } from "./rig.js";
import { tuning } from "./tuning.js";
import { ensureBuilt, spawnPlumbline, type PlumblineProcess } from "./worker-process.js";

/**
 * Workers die (OOM killer, node eviction, deploys). Worker processes are SIGKILLed at random
 * points (while starting, idle, mid-evaluation, mid-publish) while pushes flow. A gate may be
 * slow under that, never wrong: every branch's newest SHA must end with exactly one run holding
 * its real verdict, and no run may stay in_progress once the reconciler could have seen it.
 */

const DEADLINE_S = 5;
let rig: Rig;
let repo: string;
const alive = new Set<PlumblineProcess>();
/** When each worker was ready and when it exited: the time some worker could do anything. */
const lifetimes = new Map<PlumblineProcess, { readyAt?: number; exitAt?: number }>();
const isReady = (w: PlumblineProcess) => lifetimes.get(w)?.readyAt !== undefined;

const spawnWorker = () => {
  const w = spawnPlumbline("worker", rig.childEnv({ RUN_DEADLINE_SECONDS: String(DEADLINE_S), WORKER_CONCURRENCY: "2", LEDGER_KEY: TEST_LEDGER_KEY }));
  const life: { readyAt?: number; exitAt?: number } = {};
  lifetimes.set(w, life);
  alive.add(w);
  w.ready.then(() => (life.readyAt = Date.now()), () => undefined);
  void w.exited.then(() => {
    life.exitAt = Date.now();
    alive.delete(w);
  });
  return w;
};

/** How much of [from, to] some worker was ready and alive (intervals merged). */
function serviceTime(from: number, to: number): number {
  const spans = [...lifetimes.values()]
    .filter((l) => l.readyAt !== undefined)
    .map((l) => [Math.max(from, l.readyAt!), Math.min(to, l.exitAt ?? to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = from;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

beforeAll(async () => {
  ensureBuilt();
  rig = await startRig({ workers: false }); // webhooks in-process; all evaluation in children
  repo = await rig.repoWithPolicy("acme/crash");
}, 240_000);
// A failed assertion must not leave GitHub slow for the next test.
afterEach(() => rig?.fake.clearFaults());
afterAll(async () => {
  await Promise.all([...alive].map((w) => w.kill()));
  await rig?.close();
});

describe("worker processes SIGKILLed at random points", () => {
  it(`${tuning.kills} kills while pushes flow: every newest SHA gets exactly one real verdict, nothing stays in_progress`, async () => {
    // GitHub at a realistic pace (300 ms per tree and check-run call), so evaluations last long
    // enough for kills to land inside them, not only between them.
    rig.fake.inject({ pathPattern: /\/git\/trees\/|\/check-runs/, times: 1e9, latencyMs: 300 });
    for (let i = 0; i < tuning.crashWorkers; i++) spawnWorker();
    const branches = Array.from({ length: tuning.crashBranches }, (_, i) => `agent-${i}`);
    const pushed = new Map<string, Array<{ sha: string; expected: "success" | "failure" }>>(branches.map((b) => [b, []]));
    let pushing = true;
    let n = 0;
    const pusher = (async () => {
      while (pushing) {
        const branch = branches[n % branches.length]!;
        const dirty = Math.random() < 0.5;
        // A new file per push: its finding is "introduced" by exactly this push (earlier ones
        // persist and do not block off the default branch), so the verdict is known in advance.
        const { sha, delivery } = await rig.fake.push(repo, { branch, message: `push ${n}`, files: { [`src/p${n}.ts`]: dirty ? DIRTY : CLEAN }, sender: HUMAN });
        expect(delivery.status).toBe(200);
        pushed.get(branch)!.push({ sha, expected: dirty ? "failure" : "success" });
        n++;
        await sleep(150 + Math.random() * 350);
      }
    })();

    const started = Date.now();
    let kills = 0;
    let killedBeforeReady = 0;
    let killedWhileActive = 0;
    const killTimes: number[] = [];
    while (kills < tuning.kills) {
      await sleep(250 + Math.random() * 900);
      // Kills keep pace with the host: on a loaded machine a worker can take seconds to start,
      // and a storm that never lets one get ready tests start-up only, not kills mid-job.
      // Victims are still drawn from every live worker, ready or starting.
      await waitFor("a ready worker", () => [...alive].some(isReady), 60_000);
      const victims = [...alive];
      const victim = victims[Math.floor(Math.random() * victims.length)]!;
      if (!isReady(victim)) killedBeforeReady++;
      if ((await rig.redis.llen(`${rig.prefix}:plumbline-check:active`)) > 0) killedWhileActive++;
      await victim.kill("SIGKILL");
      killTimes.push(Date.now());
      kills++;
      spawnWorker();
    }
    pushing = false;
    await pusher;
    const killPhaseMs = Date.now() - started;
    const settleStart = Date.now();

    // Settled: every run of every pushed SHA completed, and each branch tip holds its real verdict.
    const real = (sha: string, expected: string) => {
      const runs = rig.fake.checkRuns(repo, sha);
      return runs.length === 1 && runs[0]!.status === "completed" && runs[0]!.conclusion === expected && !/did not conclude/.test(runs[0]!.summary ?? "");
    };
    const concluded = (sha: string) => {
      const runs = rig.fake.checkRuns(repo, sha);
      return runs.length > 0 && runs.every((r) => r.status === "completed");
    };
    const tips = branches.map((b) => pushed.get(b)!.at(-1)!).filter(Boolean);
    const allShas = [...pushed.values()].flat();
    try {
      await waitFor("every branch tip's real verdict and no run in progress", () => tips.every((t) => real(t.sha, t.expected)) && allShas.every(({ sha }) => concluded(sha)), 180_000, 250);
    } finally {
      const tipState = tips.map((t) => ({ sha: t.sha.slice(0, 7), expected: t.expected, runs: rig.fake.checkRuns(repo, t.sha).map((r) => `${r.status}/${r.conclusion}${/did not conclude/.test(r.summary ?? "") ? "(deadline)" : ""}`) }));
      const unconcluded = allShas.filter(({ sha }) => rig.fake.checkRuns(repo, sha).some((r) => r.status !== "completed")).length;
      const noRun = allShas.filter(({ sha }) => rig.fake.checkRuns(repo, sha).length === 0).length;
      console.info(`[crash] ${kills} SIGKILLs (${killedBeforeReady} before the worker was ready, ${killedWhileActive} while a check job was active) over ${Math.round(killPhaseMs / 1000)} s, ${n} pushes on ${branches.length} branches; settled ${Math.round((Date.now() - settleStart) / 1000)} s after the last kill; SHAs with no run: ${noRun}, with a run not completed: ${unconcluded}`);
      console.info(`[crash] tips: ${JSON.stringify(tipState)}`);
      if (!tips.every((t) => real(t.sha, t.expected)) || noRun > 0) console.info(`[crash] queue:\n${await describeCheckQueue(rig.redis, rig.prefix)}`);
    }

    // How long a run stayed in_progress before its first conclusion (the reconciler's, when its
    // worker died): the deadline plus the reconcile period (30 s), plus the maintenance lock
    // (10 s) and stall check (5 s) when the process running the reconcile job is killed too.
    // The bound counts the time some worker was ready: while every worker is still starting,
    // nothing can conclude anything, and how long start-up takes depends on the host's load.
    const spans = allShas.flatMap(({ sha }) => rig.fake.checkRuns(repo, sha).map((r) => ({ sha, r }))).map(({ sha, r }) => {
      const first = r.history.find((h) => (h.body as { status?: string }).status === "in_progress")?.at;
      const done = r.history.find((h) => first !== undefined && h.at >= first && (h.body as { conclusion?: string }).conclusion)?.at;
      return first !== undefined && done !== undefined ? { sha, r, first, done, wall: done - first, served: serviceTime(first, done) } : { sha, r, first: 0, done: 0, wall: 0, served: 0 };
    });
    const longest = Math.max(0, ...spans.map((x) => x.wall));
    const longestServed = Math.max(0, ...spans.map((x) => x.served));
    // The worst run's story: its writes and the kills around them, for whoever reads a failure.
    const worst = spans.reduce((a, b) => (b.served > a.served ? b : a), spans[0]!);
    if (worst?.first) {
      const rel = (t: number) => `${((t - worst.first) / 1000).toFixed(1)}s`;
      const writes = worst.r.history.map((h) => {
        const { status, conclusion } = h.body as { status?: string; conclusion?: string };
        return `${rel(h.at)} ${h.op} ${status ?? ""}${conclusion ? `/${conclusion}` : ""}`;
      });
      const nearby = killTimes.filter((t) => t >= worst.first - 2000 && t <= worst.done).map(rel);
      console.info(`[crash] worst run ${worst.sha.slice(0, 7)}: writes ${writes.join(", ")}; kills from 2 s before to its conclusion at ${nearby.join(" ")}`);
    }
    const reconciled = allShas.filter(({ sha }) => rig.fake.checkRuns(repo, sha).some((r) => r.history.some((h) => /did not conclude/.test(JSON.stringify(h.body))))).length;
    console.info(`[crash] longest time a run stayed in_progress: ${Math.round(longest / 1000)} s of wall time, ${Math.round(longestServed / 1000)} s counting only time some worker was ready; runs concluded by the reconciler first: ${reconciled}; superseded SHAs: ${allShas.length - tips.length}, each with a concluded run`);
    expect(longestServed).toBeLessThan((DEADLINE_S + 30 + 10 + 5 + 10) * 1000);
    for (const { sha } of allShas) expect(rig.fake.checkRuns(repo, sha).length, `runs on ${sha}`).toBeGreaterThan(0);

    rig.fake.clearFaults();
    const ledger = await checkLedger(rig.redis, rig.keys, { installationId: rig.installationId, repoId: rig.fake.repoId(repo) }, tips.map((t) => t.sha));
    console.info(`[crash] ledger: ${ledger.note}`);
    expect(ledger.ok, ledger.note).toBe(true);
  }, 600_000);
});

describe("graceful shutdown", () => {
  // Deploys stop workers with SIGTERM and SIGKILL them after a grace period (Kubernetes: 30 s).
  // A worker that never exits is killed mid-job on every deploy; this one exited only on SIGKILL.
  it("SIGTERM mid-evaluation: the process finishes its job and exits 0 within the grace period", async () => {
    for (const mode of ["worker", "serve"] as const) {
      const w = mode === "worker" ? spawnWorker() : spawnPlumbline("serve", rig.childEnv({ RUN_DEADLINE_SECONDS: String(DEADLINE_S), LEDGER_KEY: TEST_LEDGER_KEY }));
      if (mode === "serve") alive.add(w);
      await w.ready;
      const slow = rig.fake.inject({ pathPattern: /\/git\/trees\//, times: 2, latencyMs: 1500 });
      const { sha } = await rig.fake.push(repo, { branch: `term-${mode}`, message: "m", files: { [`src/term-${mode}.ts`]: DIRTY }, sender: HUMAN });
      await waitFor("the job in flight", () => slow.hits > 0, 20_000, 10);
      const t0 = Date.now();
      w.child.kill("SIGTERM");
      const exit = await Promise.race([w.exited, sleep(25_000).then(() => null)]);
      console.info(`[shutdown] ${mode}: SIGTERM → ${exit ? `exit ${exit.code ?? exit.signal}` : "still running"} after ${Date.now() - t0} ms`);
      expect(exit?.code).toBe(0);
      // Whatever was in flight was finished, or is concluded by the next live worker.
      if (alive.size === 0) spawnWorker();
      const run = await waitFor("its verdict", () => rig.fake.checkRuns(repo, sha).find((r) => r.status === "completed" && !/did not conclude/.test(r.summary ?? "")), 90_000, 200);
      expect(run.conclusion).toBe("failure");
    }
  }, 240_000);
});
