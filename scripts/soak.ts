import { randomBytes } from "node:crypto";
import { cpus, loadavg, setPriority } from "node:os";
import { parseArgs } from "node:util";
import type { DeliveryTemplate } from "../bench/delivery-template.js";
import { ackReport, runOpenLoop, type AckReport } from "../bench/open-loop.js";
import { deletePrefix } from "../bench/redis-prefix.js";
import { createFakeGitHub, type FakeGitHub } from "../test/fake-github/index.js";
import { mergePlans, noisyPlan, pushOnlyPlan, steadyPlan, type Plan } from "./soak-plan.js";
import { renderFairness, renderMain, renderProblems, verdicts, type FairnessPhase, type MainPhase } from "./soak-report.js";
import { analyzePushes, githubLoad, queueDepth, waitForConclusions, waitForDrain } from "./soak-results.js";
import { livePrefixes, startStack, type Stack } from "./soak-stack.js";
import { killAllWorkersNow } from "./soak-workers.js";
import { createFleet, noisyTemplate } from "./soak-world.js";
import { threadsRunAtNice } from "../bench/ts-thread.js";

/**
 * `npm run soak [-- --seconds 60 --rate 200 --repos 50 --installations 50 --workers 2
 *   --concurrency 4 --noisy N --fair-seconds S --quiet-rate 0.5 --quiet-installations 4
 *   --drain-timeout 300 --fair-timeout 120 --no-fairness]`
 *
 * The GitHub App under sustained load, as deployed: the webhook server in this process (its
 * own thread, workers off), `plumbline worker` child processes on the same Redis prefix, the
 * fake GitHub in the main thread. Phase 1: `rate` deliveries/s (each push followed by its
 * check_suite.requested) over the repositories; then the queue must drain and every pushed
 * SHA must be concluded exactly once. Phases 2–3: quiet installations pushing steadily (each at
 * quiet-rate), alone and then beside a noisy installation's branch-creating pushes (default 10k
 * per 60 s); the p99 of all quiet pushes is compared. Each
 * phase runs on a fresh stack (prefix, server, workers). Needs `npm run build` (the workers
 * run dist/) and Redis at REDIS_URL. Every wait is bounded; children are killed and Redis
 * prefixes deleted on every exit path.
 */

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    rate: { type: "string", default: "200" },
    repos: { type: "string", default: "50" },
    // One per repository. Fewer installations make GitHub's pacing the bound, not Plumbline: each
    // push ends in one check-run write and an installation gets one write per second per
    // process, so 6,000 pushes over 10 installations cannot conclude in under 300 s on 2
    // processes (the report prints this floor beside the drain time).
    installations: { type: "string", default: "50" },
    workers: { type: "string", default: "2" },
    concurrency: { type: "string", default: "4" },
    noisy: { type: "string" },
    "fair-seconds": { type: "string" },
    "quiet-rate": { type: "string", default: "0.5" },
    "quiet-installations": { type: "string", default: "4" },
    "drain-timeout": { type: "string", default: "300" },
    "fair-timeout": { type: "string", default: "120" },
    "no-fairness": { type: "boolean", default: false },
  },
});
function num(flag: keyof typeof values, fallback?: number): number {
  const raw = values[flag];
  const n = raw === undefined ? fallback! : Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`--${flag} expects a positive number, got ${String(raw)}\n`);
    process.exit(2);
  }
  return n;
}
const seconds = num("seconds");
const rate = num("rate");
const repoCount = Math.round(num("repos"));
const installationCount = Math.min(repoCount, Math.round(num("installations")));
const stackOpts = { workers: Math.round(num("workers")), concurrency: Math.round(num("concurrency")) };
const fairSeconds = num("fair-seconds", seconds);
const noisyCount = Math.round(num("noisy", Math.round((10_000 * fairSeconds) / 60)));
const quietRate = num("quiet-rate");
const quietInstallations = Math.round(num("quiet-installations"));
/** All quiet installations together: each pushes `quietRate`/s (below GitHub's write pacing of one installation). */
const quietTotalRate = quietRate * quietInstallations;
const drainMs = num("drain-timeout") * 1000;
const fairTimeoutMs = num("fair-timeout") * 1000;
const fairness = !values["no-fairness"];

/** The fake GitHub's thread (this one) runs below the app's own threads: see threadsRunAtNice. */
const FAKE_NICE = 5;
try {
  setPriority(0, FAKE_NICE);
  threadsRunAtNice(0);
} catch {
  // Not permitted here: everything runs at one priority, as before.
}

const log = (s: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
/** Every payload template; sends refer to them by index. */
const templates: DeliveryTemplate[] = [];
let fake: FakeGitHub | null = null;
let stack: Stack | null = null;
/** Worker log lines of every stack, collected before each stack stops. */
const stackProblems = new Map<string, number>();

process.on("exit", killAllWorkersNow);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    log(`${sig}: killing workers, deleting Redis prefixes and the fake's repositories`);
    killAllWorkersNow();
    const cleanups = [...livePrefixes().map((p) => deletePrefix(p)), (fake as FakeGitHub | null)?.close()];
    void Promise.race([Promise.allSettled(cleanups), new Promise((r) => setTimeout(r, 5000))]).finally(() => process.exit(130));
  });
}

try {
  process.stdout.write(await run());
} catch (e) {
  process.stdout.write(`soak failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
} finally {
  await stopStack();
  await (fake as FakeGitHub | null)?.close().catch(() => undefined);
  log("cleaned up: worker processes stopped, Redis prefixes deleted");
}
// Probot and ioredis can keep the loop alive after close; the report is out and Redis is clean.
process.exit(process.exitCode ?? 0);

async function run(): Promise<string> {
  const load0 = loadavg()[0]!.toFixed(1);
  const t0 = Date.now();
  fake = await createFakeGitHub({ webhookSecret: `whsec-${randomBytes(12).toString("hex")}` });
  const installations = new Map<string, number>();
  const pushesPerRepo = Math.ceil(((rate / 2) * seconds) / repoCount) + 1;
  log(`creating ${repoCount} repositories in ${installationCount} installations, ${pushesPerRepo} commits each`);
  const owners = Array.from({ length: installationCount }, (_, i) => `soak-org-${i}`);
  const main = await createFleet(fake, templates, { owners, repos: repoCount, pushesPerRepo, branchOf: (i) => (i % 2 ? "agent/soak" : "main"), namePrefix: "svc" }, installations);
  // Several quiet installations, two repositories each: their pushes together are the sample
  // (one installation at 0.5/s gives 30 pushes a phase, whose "p99" is just the slowest one).
  const quietOwners = Array.from({ length: quietInstallations }, (_, i) => `quiet-org-${i}`);
  const quiet = fairness ? await createFleet(fake, templates, { owners: quietOwners, repos: 2 * quietInstallations, pushesPerRepo: Math.ceil(quietRate * fairSeconds) + 2, branchOf: () => "main", namePrefix: "calm" }, installations) : [];
  const noisy = fairness ? await createFleet(fake, templates, { owners: ["noisy-org"], repos: 5, pushesPerRepo: 20, branchOf: () => "main", namePrefix: "fleet" }, installations) : [];
  const noisyTemplates: number[] = [];
  for (const r of noisy) noisyTemplates.push(await noisyTemplate(fake, templates, r));
  // Templates for the quiet repositories' unmeasured warm-up pushes (see fairnessPhase).
  const quietWarmTemplates: number[] = [];
  for (const r of quiet) quietWarmTemplates.push(await noisyTemplate(fake, templates, r));
  const setupS = ((Date.now() - t0) / 1000).toFixed(1);

  stack = await startStack(fake, { ...stackOpts, tag: "soak" });
  log(`setup ${setupS} s; worker pids ${stack.pool.pids.join(", ")}; phase 1: ${rate}/s for ${seconds} s`);
  const mainPlan = steadyPlan(main, rate, seconds);
  const firstRequest = fake.requests.length;
  await stack.serverBusy();
  const mainLoad = await send(mainPlan);
  const busy = await stack.serverBusy();
  log(`phase 1 sent; waiting for the queues to drain (≤ ${drainMs / 1000} s)`);
  const drained = await waitForDrain([stack.queue, stack.notices], drainMs, (states, el) => log(`  ${states} after ${(el / 1000).toFixed(0)} s`));
  const mainPhase: MainPhase = {
    title: `phase 1: ${rate} deliveries/s for ${seconds} s (push + check_suite.requested each), ${repoCount} repositories in ${installationCount} installations, ${stackOpts.workers} worker processes × ${stackOpts.concurrency}`,
    ack: mainLoad.ack,
    serverBusy: busy,
    outcomes: analyzePushes(fake, mainPlan.pushes, mainLoad.startedAt),
    drainMs: drained,
    drainBoundMs: drainMs,
    leftInQueue: (await queueDepth(stack.queue)) + (await queueDepth(stack.notices)),
    writeFloorMs: writeFloorMs(mainPlan, stackOpts.workers),
    github: githubLoad(fake.requests.slice(firstRequest)),
  };
  await stopStack();
  const out = ["", `== Plumbline soak (setup ${setupS} s; load average ${load0} at start on ${cpus().length} CPUs) ==`, ...renderMain(mainPhase)];

  let alone: FairnessPhase | null = null;
  let crowded: FairnessPhase | null = null;
  if (fairness) {
    const quietTitle = `phase 2: ${quietInstallations} quiet installations alone, ${quiet.length} repositories, ${quietRate} pushes/s each for ${fairSeconds} s`;
    // The quiet repositories' last two commits are not in either phase's plan: one warms each phase's stack.
    const warmUp = (k: number): Plan => {
      const plan: Plan = { sends: [], pushes: [] };
      quiet.forEach((r, i) => {
        const sha = r.chain[r.chain.length - k]!;
        plan.sends.push({ atMs: i * 100, template: quietWarmTemplates[i]!, subs: { __AFTER__: sha, __BRANCH__: `warm-up-${k}` } });
        plan.pushes.push({ repo: r.name, sha, atMs: i * 100 });
      });
      return plan;
    };
    alone = await fairnessPhase(quietTitle, pushOnlyPlan(quiet, quietTotalRate, fairSeconds), null, warmUp(2));
    const quietAgain = pushOnlyPlan(quiet, quietTotalRate, fairSeconds, Math.ceil(Math.floor(quietTotalRate * fairSeconds) / quiet.length));
    const flood = noisyPlan(noisy, noisyTemplates, noisyCount, fairSeconds);
    const noisyTitle = `phase 3: the same while a noisy installation pushes ${noisyCount} new branches (${(noisyCount / fairSeconds).toFixed(0)}/s) over ${noisy.length} repositories`;
    crowded = await fairnessPhase(noisyTitle, mergePlans(quietAgain, flood), flood, warmUp(1));
    out.push(...renderFairness(alone, crowded));
  }
  out.push(...verdicts(mainPhase, alone, crowded));
  out.push(...renderProblems(stackProblems));
  out.push(`load average ${loadavg()[0]!.toFixed(1)} at the end; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return `${out.join("\n")}\n`;
}

/** See MainPhase.writeFloorMs; a repository's installation is its owner (one installation per owner). */
function writeFloorMs(plan: Plan, workers: number): number {
  const perOwner = new Map<string, number>();
  for (const p of plan.pushes) {
    const owner = p.repo.split("/")[0]!;
    perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
  }
  return (Math.max(0, ...perOwner.values()) / workers) * 1000;
}

async function send(plan: Plan): Promise<{ ack: AckReport; startedAt: number }> {
  const result = await runOpenLoop({ url: stack!.server.webhookUrl, secret: fake!.webhookSecret, templates, sends: plan.sends, maxInFlight: 256, timeoutMs: 10_000 });
  return { ack: ackReport(result), startedAt: result.startedAt };
}

/**
 * A fresh stack, warmed by one unmeasured push per quiet repository (a deployed worker has long
 * been running: the fairness target is about a neighbour's flood, not about a cold start, which
 * otherwise lands on the first quiet push of both phases); then the quiet pushes' conclusions
 * are awaited (bounded), the flood is only acknowledged.
 */
async function fairnessPhase(title: string, plan: Plan, flood: Plan | null, warmUp: Plan): Promise<FairnessPhase> {
  const f = fake!;
  stack = await startStack(f, { ...stackOpts, tag: "fair" });
  log(title);
  try {
    await send(warmUp);
    if (!(await waitForConclusions(f, warmUp.pushes, fairTimeoutMs))) log(`  warm-up pushes still unconcluded after ${fairTimeoutMs / 1000} s`);
    const load = await send(plan);
    const quietPushes = plan.pushes;
    if (!(await waitForConclusions(f, quietPushes, fairTimeoutMs))) log(`  quiet pushes still unconcluded after ${fairTimeoutMs / 1000} s`);
    return { title, quiet: analyzePushes(f, quietPushes, load.startedAt), phaseAck: flood ? load.ack : null, leftInQueue: await queueDepth(stack.queue) };
  } finally {
    await stopStack();
  }
}

/** Keeps the workers' log lines, then stops the stack (workers, server, prefix). */
async function stopStack(): Promise<void> {
  if (!stack) return;
  for (const [k, v] of stack.pool.problems()) stackProblems.set(k, (stackProblems.get(k) ?? 0) + v);
  await stack.stop();
  stack = null;
}
