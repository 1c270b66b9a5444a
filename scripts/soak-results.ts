import { countKinds, type KindCounts } from "../bench/request-kinds.js";
import type { Queue } from "bullmq";
import { conclusionsBySha, type ShaConclusion } from "../bench/check-run-conclusion.js";
import { summarize, type Summary } from "../bench/latency-stats.js";
import type { FakeGitHub } from "../test/fake-github/index.js";
import type { PushRecord } from "./soak-plan.js";

/**
 * What the soak checks after the load: each pushed SHA's check runs as the fake recorded
 * them, and the queue emptying. Superseded SHAs (concluded `cancelled`, naming their
 * successor) count as concluded: that is their final answer.
 */

export interface PushOutcomes {
  readonly pushes: number;
  /** One `Plumbline` run, completed once, with a conclusion. */
  readonly exactlyOnce: number;
  readonly unconcluded: number;
  /** More than one `Plumbline` run on the SHA. */
  readonly duplicateRuns: number;
  /** A run completed more than once. */
  readonly recompleted: number;
  /** …of which with a different conclusion the second time: examples `repo@sha: a → b`. */
  readonly flipped: readonly string[];
  /** The first few SHAs concluded more than once, with each completion (see ShaConclusion.writes). */
  readonly recompletions: readonly string[];
  readonly byConclusion: ReadonlyMap<string, number>;
  /** Branches whose last pushed SHA (the tip) got an evaluated verdict, not `cancelled` or nothing. */
  readonly tipsEvaluated: number;
  readonly branches: number;
  /** Push (scheduled send) → first completion; an unconcluded push counts as +∞. */
  readonly latency: Summary;
  /** The three slowest pushes: `repo@sha at +s: latency s`, to tell one outlier from a shift. */
  readonly slowest: readonly string[];
  /** For each of those, the repository's GitHub requests from its send to its conclusion, to tell where the time went. */
  readonly slowestTraces: readonly string[];
}

export function analyzePushes(fake: FakeGitHub, pushes: readonly PushRecord[], startedAt: number): PushOutcomes {
  const byRepo = new Map<string, Map<string, ShaConclusion>>();
  for (const repo of new Set(pushes.map((p) => p.repo))) byRepo.set(repo, conclusionsBySha(fake.checkRuns(repo)));
  let exactlyOnce = 0, unconcluded = 0, duplicateRuns = 0, recompleted = 0;
  const flipped: string[] = [];
  const recompletions: string[] = [];
  const byConclusion = new Map<string, number>();
  const lat: number[] = [];
  const timed: Array<{ ms: number; what: string; repo: string; from: number; to: number }> = [];
  for (const p of pushes) {
    const c = byRepo.get(p.repo)?.get(p.sha);
    if (!c || c.conclusion === null || c.firstCompletedAt === null) {
      unconcluded++;
      // Counted as never: a percentile over only the finished pushes would flatter a backlog.
      lat.push(Number.POSITIVE_INFINITY);
      continue;
    }
    byConclusion.set(c.conclusion, (byConclusion.get(c.conclusion) ?? 0) + 1);
    lat.push(c.firstCompletedAt - (startedAt + p.atMs));
    timed.push({ ms: c.firstCompletedAt - (startedAt + p.atMs), what: `${p.repo}@${p.sha.slice(0, 7)} sent at +${(p.atMs / 1000).toFixed(1)} s`, repo: p.repo, from: startedAt + p.atMs, to: c.firstCompletedAt });
    if (c.runs > 1) duplicateRuns++;
    if (c.completions > 1 && ++recompleted <= 3) recompletions.push(`${p.repo}@${p.sha.slice(0, 7)}: ${c.writes.join(" then ")}`);
    if (new Set(c.sequence).size > 1) flipped.push(`${p.repo}@${p.sha.slice(0, 7)}: ${c.sequence.join(" → ")}`);
    if (c.runs === 1 && c.completions === 1) exactlyOnce++;
  }
  // Each repository's pushes go to one branch: its last push is the tip that must be judged.
  const tips = new Map<string, PushRecord>();
  for (const p of pushes) if ((tips.get(p.repo)?.atMs ?? -1) < p.atMs) tips.set(p.repo, p);
  const tipsEvaluated = [...tips.values()].filter((p) => {
    const c = byRepo.get(p.repo)?.get(p.sha)?.conclusion;
    return c !== undefined && c !== null && c !== "cancelled";
  }).length;
  const slowest = timed.sort((a, b) => b.ms - a.ms).slice(0, 3);
  return {
    pushes: pushes.length,
    exactlyOnce,
    unconcluded,
    duplicateRuns,
    recompleted,
    flipped,
    recompletions,
    byConclusion,
    tipsEvaluated,
    branches: tips.size,
    latency: summarize(lat),
    slowest: slowest.map((t) => `${t.what}: ${(t.ms / 1000).toFixed(2)} s`),
    slowestTraces: slowest.map((t) => `${t.what}: ${requestTrace(fake, t.repo, t.from, t.to)}`),
  };
}

/** `+ms METHOD path (ms taken)` for each request about `repo` started in [from, to], times from `from`. */
function requestTrace(fake: FakeGitHub, repo: string, from: number, to: number): string {
  const prefix = `/repos/${repo}/`;
  const steps = fake.requests
    .filter((r) => r.at >= from && r.at <= to && r.path.startsWith(prefix))
    .map((r) => `+${r.at - from} ${r.method} ${r.path.slice(prefix.length)}${r.answeredAt === undefined ? "" : ` (${r.answeredAt - r.at})`}`);
  return `${steps.join(", ") || "no request"}; concluded +${to - from}`;
}

const PENDING_STATES = ["wait", "active", "prioritized", "waiting-children"] as const;

/**
 * Jobs still to run. Delayed jobs count (debounce, retry backoff) except a job scheduler's
 * next tick: each repository's audit schedule always holds one, so a queue with audits
 * scheduled would otherwise never drain.
 */
export async function queueBacklog(queue: Queue): Promise<Record<string, number>> {
  const counts = await queue.getJobCounts(...PENDING_STATES);
  const delayed = await queue.getDelayed(0, 9_999);
  const out: Record<string, number> = {};
  for (const s of PENDING_STATES) if (counts[s]) out[s] = counts[s]!;
  const backlog = delayed.filter((j) => !j.repeatJobKey && !String(j.id).startsWith("repeat:")).length;
  if (backlog) out.delayed = backlog;
  return out;
}

export async function queueDepth(queue: Queue): Promise<number> {
  return Object.values(await queueBacklog(queue)).reduce((a, b) => a + b, 0);
}

/** Ms from now until every queue has no backlog (see queueBacklog), or null after `timeoutMs`. */
export async function waitForDrain(queues: readonly Queue[], timeoutMs: number, onTick?: (states: string, elapsedMs: number) => void): Promise<number | null> {
  const t0 = Date.now();
  let lastTick = 0;
  for (;;) {
    const backlog: Record<string, number> = {};
    for (const q of queues) for (const [state, n] of Object.entries(await queueBacklog(q))) backlog[`${q.name.replace(/^plumbline-/, "")} ${state}`] = n;
    const elapsed = Date.now() - t0;
    if (Object.keys(backlog).length === 0) return elapsed;
    if (elapsed > timeoutMs) return null;
    if (onTick && elapsed - lastTick >= 10_000) {
      lastTick = elapsed;
      onTick(Object.entries(backlog).map(([s, n]) => `${n} ${s}`).join(", "), elapsed);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until every push has a concluded run (bounded); true when all have. */
export async function waitForConclusions(fake: FakeGitHub, pushes: readonly PushRecord[], timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  const pending = new Set(pushes.map((p) => `${p.repo}@${p.sha}`));
  for (;;) {
    for (const repo of new Set([...pending].map((k) => k.split("@")[0]!))) {
      for (const [sha, c] of conclusionsBySha(fake.checkRuns(repo))) if (c.conclusion !== null) pending.delete(`${repo}@${sha}`);
    }
    if (pending.size === 0) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface GitHubLoad {
  readonly requests: number;
  /** Check-run creates and updates (POST/PATCH): the app's content-creating requests. */
  readonly writes: number;
  /** The most check-run writes one installation got through in one wall-clock second. */
  readonly peakWritesPerInstallationSecond: number;
  /** The same requests by what they were for (bench/request-kinds.ts). */
  readonly byKind: KindCounts;
}

/** GitHub requests of a phase; the write peak shows whether writes, not evaluation, set the pace. */
export function githubLoad(requests: readonly { method: string; path: string; at: number; installationId?: number }[]): GitHubLoad {
  const buckets = new Map<string, number>();
  let writes = 0;
  for (const r of requests) {
    if (r.method === "GET" || !r.path.includes("/check-runs")) continue;
    writes++;
    const key = `${r.installationId ?? "?"}:${Math.floor(r.at / 1000)}`;
    buckets.set(key, (buckets.get(key) ?? 0) + 1);
  }
  return { requests: requests.length, writes, peakWritesPerInstallationSecond: Math.max(0, ...buckets.values()), byKind: countKinds(requests) };
}
