import type { PlannedSend } from "../bench/open-loop.js";
import type { SoakRepo } from "./soak-world.js";

/** Who pushed what, when (offset in the load plan), to check conclusions against afterwards. */
export interface PushRecord {
  readonly repo: string;
  readonly sha: string;
  readonly atMs: number;
}

export interface Plan {
  readonly sends: PlannedSend[];
  readonly pushes: PushRecord[];
}

/**
 * Steady mixed load: deliveries at `rate`/s, each push followed one slot later by its
 * `check_suite.requested`, repositories in round robin (so each branch sees a push every
 * repos/(rate/2) seconds and newest-wins has bursts to collapse).
 */
export function steadyPlan(repos: readonly SoakRepo[], rate: number, seconds: number): Plan {
  const total = Math.floor(rate * seconds);
  const slot = 1000 / rate;
  const plan: Plan = { sends: [], pushes: [] };
  for (let k = 0; k + 1 < total; k += 2) {
    const i = k / 2;
    const repo = repos[i % repos.length]!;
    const j = Math.floor(i / repos.length);
    const sha = repo.chain[j];
    if (sha === undefined) break;
    addPush(plan, repo, j, k * slot);
    plan.sends.push({ atMs: (k + 1) * slot, template: repo.suiteTemplate, subs: { __AFTER__: sha } });
  }
  return plan;
}

/** Pushes only (no check suite), `perSecond` in total, spread evenly over the repositories, from chain index `firstCommit` on. */
export function pushOnlyPlan(repos: readonly SoakRepo[], perSecond: number, seconds: number, firstCommit = 0): Plan {
  const plan: Plan = { sends: [], pushes: [] };
  const total = Math.floor(perSecond * seconds);
  for (let i = 0; i < total; i++) {
    const repo = repos[i % repos.length]!;
    const j = firstCommit + Math.floor(i / repos.length);
    if (repo.chain[j] === undefined) break;
    addPush(plan, repo, j, (i * 1000) / perSecond);
  }
  return plan;
}

/** `count` pushes creating distinct branches, evenly over `seconds`, round robin over the noisy repositories. */
export function noisyPlan(repos: readonly SoakRepo[], templates: readonly number[], count: number, seconds: number): Plan {
  const plan: Plan = { sends: [], pushes: [] };
  for (let n = 0; n < count; n++) {
    const r = n % repos.length;
    const repo = repos[r]!;
    const sha = repo.chain[n % repo.chain.length]!;
    plan.sends.push({ atMs: (n * seconds * 1000) / count, template: templates[r]!, subs: { __AFTER__: sha, __BRANCH__: `fleet/${n}` } });
  }
  return plan;
}

export function mergePlans(...plans: Plan[]): Plan {
  const sends = plans.flatMap((p) => p.sends).sort((a, b) => a.atMs - b.atMs);
  return { sends, pushes: plans.flatMap((p) => p.pushes) };
}

function addPush(plan: Plan, repo: SoakRepo, j: number, atMs: number): void {
  const sha = repo.chain[j]!;
  const before = j === 0 ? repo.base : repo.chain[j - 1]!;
  plan.sends.push({ atMs, template: repo.pushTemplate, subs: { __AFTER__: sha, __BEFORE__: before }, ref: { file: repo.refFile, sha } });
  plan.pushes.push({ repo: repo.name, sha, atMs });
}
