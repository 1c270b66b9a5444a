import type { ActorSignals, ActorVerdict } from "../core/actor.js";
import type { Change, ChangedPath } from "../core/change.js";
import { classifyActor } from "../core/classify-actor.js";
import { compilePolicy, type CompiledPolicy } from "../core/compile.js";
import { evaluatePolicy, type Evaluation } from "../core/evaluate.js";
import { judge, type Verdict } from "../core/judge.js";
import type { DeploymentRequest } from "../core/kind.js";
import { diffPolicies, type PolicyDiffEntry } from "../core/policy-diff.js";
import { propagationNotices } from "../core/propagation.js";
import type { PolicyError } from "../core/policy-error.js";
import { buildSnapshot, type SnapshotLimits } from "../snapshot/build-snapshot.js";
import type { FileSource, TreeEntry } from "../snapshot/file-source.js";
import type { RecordCache } from "../snapshot/record-cache.js";
import { diffTrees } from "./diff-trees.js";
import { isPolicyPath, loadPolicySources } from "./load-policy-sources.js";

/** Everything a surface (CLI, worker, hook) hands the use case; all I/O goes through the sources. */
export interface CheckRequest {
  readonly head: FileSource;
  /** The base revision; its invariant files judge the change. Null: judge `head` alone. */
  readonly base: FileSource | null;
  /**
   * Where the invariants come from when that is neither base nor head: a PR is judged by its
   * base branch's tip while its findings are compared with the merge base. Defaults to base ?? head.
   */
  readonly policy?: FileSource | null;
  readonly actor: ActorSignals | null;
  readonly now: Date;
  readonly cache?: RecordCache;
  readonly limits?: SnapshotLimits;
  /** Persisting block findings fail too (default branch, strict mode). Defaults to `base === null || settings.strict`. */
  readonly blockPersisting?: boolean;
  readonly deployment?: Omit<DeploymentRequest, "actor"> | null;
  /** Changed paths when the caller knows better than a tree diff (e.g. a staged change). */
  readonly changedPaths?: readonly ChangedPath[];
}

export type CheckOutcome =
  | { readonly type: "invalid-policy"; readonly errors: readonly PolicyError[]; readonly policyFrom: string }
  | { readonly type: "no-policy"; readonly policyFrom: string }
  | {
      readonly type: "verdict";
      readonly verdict: Verdict;
      readonly policy: CompiledPolicy;
      readonly change: Change | null;
      /** Errors in the head's own invariant files (the change broke them): they fail the check. */
      readonly headPolicyErrors: readonly PolicyError[];
      readonly timings: Readonly<Record<string, number>>;
      /** Source files parsed vs taken from the per-blob record cache (an unchanged file is never parsed twice). */
      readonly parse: { readonly parsed: number; readonly cached: number };
    };

/** The one use case every surface calls: load policy from base, snapshot, evaluate, compare, judge. */
export async function checkRevision(req: CheckRequest): Promise<CheckOutcome> {
  const timings: Record<string, number> = {};
  const clock = (name: string, since: number) => (timings[name] = Math.round(performance.now() - since));
  let t = performance.now();
  const headEntries = await req.head.listFiles();
  const baseEntries = req.base ? await req.base.listFiles() : null;
  clock("list", t);

  t = performance.now();
  const policySource = req.policy ?? req.base ?? req.head;
  const policyEntries = req.policy ? await req.policy.listFiles() : (baseEntries ?? headEntries);
  const loaded = await loadPolicySources(policySource, policyEntries);
  if (loaded.errors.length) return { type: "invalid-policy", errors: loaded.errors, policyFrom: policySource.label };
  if (loaded.sources.length === 0) return { type: "no-policy", policyFrom: policySource.label };
  const compiled = compilePolicy(loaded.sources);
  if (!compiled.ok) return { type: "invalid-policy", errors: compiled.errors, policyFrom: policySource.label };
  const policy = compiled.policy;
  clock("policy", t);

  t = performance.now();
  // Excluded paths (settings.exclude) are invisible to every invariant: drop them before reading.
  const visible = (es: readonly TreeEntry[]) => (policy.excluded.length === 0 ? es : es.filter((e) => !policy.excluded.some((g) => g.test(e.path))));
  const headVisible = visible(headEntries);
  const baseVisible = baseEntries ? visible(baseEntries) : null;
  const parse = { parsed: 0, cached: 0 };
  const snapOpts = { reads: policy.reads, stats: parse, ...(req.cache ? { cache: req.cache } : {}), ...(req.limits ? { limits: req.limits } : {}) };
  const headSnap = await buildSnapshot(req.head, { ...snapOpts, entries: headVisible });
  const baseSnap = req.base && baseVisible ? await buildSnapshot(req.base, { ...snapOpts, entries: baseVisible }) : null;
  clock("snapshot", t);

  const actor: ActorVerdict | null = req.actor ? classifyActor(req.actor, policy.agents) : null;
  const paths = req.changedPaths ?? (baseEntries ? diffTrees(baseEntries, headEntries) : null);
  const change: Change | null = paths && actor ? { baseRev: req.base?.label ?? null, headRev: req.head.label, paths, actor } : paths ? { baseRev: req.base?.label ?? null, headRev: req.head.label, paths, actor: classifyActor({}, policy.agents) } : null;
  const deployment = req.deployment && actor ? { ...req.deployment, actor } : req.deployment ? { ...req.deployment, actor: classifyActor({}, policy.agents) } : null;

  t = performance.now();
  const head = evaluatePolicy(policy, { snapshot: headSnap, change, deployment }, req.now);
  const base = baseSnap ? evaluatePolicy(policy, { snapshot: baseSnap, change: null, deployment: null }, req.now) : null;

  // Governance of the governance: when the change edits invariant files, show what its own
  // policy would do, so weakening is visible and an agent cannot slip it through.
  let headUnderOwnPolicy: Evaluation | null = null;
  let policyDiff: PolicyDiffEntry[] | null = null;
  let headPolicyErrors: PolicyError[] = [];
  if (req.base && policyFilesChanged(policyEntries, headEntries)) {
    const own = await loadPolicySources(req.head, headEntries);
    const ownCompiled = own.errors.length ? { ok: false as const, errors: own.errors } : compilePolicy(own.sources);
    if (ownCompiled.ok) {
      policyDiff = diffPolicies(policy, ownCompiled.policy);
      const ownSnap = sameReads(policy, ownCompiled.policy) ? headSnap : await buildSnapshot(req.head, { ...snapOpts, reads: ownCompiled.policy.reads, entries: headVisible });
      headUnderOwnPolicy = evaluatePolicy(ownCompiled.policy, { snapshot: ownSnap, change, deployment }, req.now);
    } else headPolicyErrors = ownCompiled.errors;
  }
  clock("evaluate", t);

  const verdict = judge({
    head,
    base,
    headUnderOwnPolicy,
    policyDiff,
    actor,
    blockPersisting: req.blockPersisting ?? (req.base === null || policy.settings.strict),
  });
  const propagation = propagationNotices(req.actor?.commits ?? [], verdict.blocking, policy.digest);
  const noted = propagation.length ? { ...verdict, notices: [...verdict.notices, ...propagation] } : verdict;
  const failed = headPolicyErrors.length > 0 ? { ...noted, conclusion: "failure" as const } : noted;
  return { type: "verdict", verdict: failed, policy, change, headPolicyErrors, timings, parse };
}

function policyFilesChanged(base: readonly TreeEntry[], head: readonly TreeEntry[]): boolean {
  const sig = (es: readonly TreeEntry[]) => es.filter((e) => isPolicyPath(e.path)).map((e) => `${e.path}@${e.blobSha}`).join("\n");
  return sig(base) !== sig(head);
}

function sameReads(a: CompiledPolicy, b: CompiledPolicy): boolean {
  return [...b.reads].every((r) => a.reads.has(r));
}
