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
import type { RepoSnapshot } from "../core/snapshot.js";
import { buildSnapshot, DEFAULT_LIMITS, type BuildOptions, type SnapshotLimits } from "../snapshot/build-snapshot.js";
import type { FileSource, TreeEntry } from "../snapshot/file-source.js";
import type { ParsePool } from "../snapshot/parse-pool.js";
import type { RecordCache } from "../snapshot/record-cache.js";
import { entriesKey, type CheckMemo, type LoadedPolicy } from "./check-memo.js";
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
  /** Worker threads to parse source files on (a one-shot CLI run); see buildSnapshot. */
  readonly parsePool?: ParsePool;
  /** Persisting block findings fail too (default branch, strict mode). Defaults to `base === null || settings.strict`. */
  readonly blockPersisting?: boolean;
  readonly deployment?: Omit<DeploymentRequest, "actor"> | null;
  /** Changed paths when the caller knows better than a tree diff (e.g. a staged change). */
  readonly changedPaths?: readonly ChangedPath[];
  /** Compiled policies and snapshots kept from earlier checks (a resident hook server); never changes a verdict. */
  readonly memo?: CheckMemo;
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
  const loaded = await loadPolicy(policySource, policyEntries, req.memo);
  if (loaded.type === "errors") return { type: "invalid-policy", errors: loaded.errors, policyFrom: policySource.label };
  if (loaded.files === 0) return { type: "no-policy", policyFrom: policySource.label };
  const policy = loaded.policy;
  clock("policy", t);

  t = performance.now();
  // Excluded paths (settings.exclude) are invisible to every invariant: drop them before reading.
  const visible = (es: readonly TreeEntry[]) => (policy.excluded.length === 0 ? es : es.filter((e) => !policy.excluded.some((g) => g.test(e.path))));
  const headVisible = visible(headEntries);
  const baseVisible = baseEntries ? visible(baseEntries) : null;
  const parse = { parsed: 0, cached: 0 };
  const snapOpts = { reads: policy.reads, stats: parse, ...(req.parsePool ? { parsePool: req.parsePool } : {}), ...(req.cache ? { cache: req.cache } : {}), ...(req.limits ? { limits: req.limits } : {}) };
  // Base first: the head then reads only the files the change touched and takes the rest's text
  // from the base (usually the previous push's head, already in a resident worker's memo).
  const baseSnap = req.base && baseVisible ? await snapshotOf(req.base, { ...snapOpts, entries: baseVisible }, req.memo) : null;
  const headSnap = await snapshotOf(req.head, { ...snapOpts, entries: headVisible, ...(baseSnap && baseVisible ? { reuse: { entries: baseVisible, snapshot: baseSnap } } : {}) }, req.memo);
  clock("snapshot", t);

  const actor: ActorVerdict | null = req.actor ? classifyActor(req.actor, policy.agents) : null;
  const paths = req.changedPaths ?? (baseEntries ? diffTrees(baseEntries, headEntries) : null);
  const change: Change | null = paths && actor ? { baseRev: req.base?.label ?? null, headRev: req.head.label, paths, actor } : paths ? { baseRev: req.base?.label ?? null, headRev: req.head.label, paths, actor: classifyActor({}, policy.agents) } : null;
  const deployment = req.deployment && actor ? { ...req.deployment, actor } : req.deployment ? { ...req.deployment, actor: classifyActor({}, policy.agents) } : null;

  t = performance.now();
  const head = evaluatePolicy(policy, { snapshot: headSnap, change, deployment }, req.now);
  const evaluateBase = () => evaluatePolicy(policy, { snapshot: baseSnap!, change: null, deployment: null }, req.now);
  const baseKey = baseSnap && baseVisible && req.memo?.evaluation ? snapshotKey({ ...snapOpts, entries: baseVisible }) : null;
  const base = !baseSnap ? null : baseKey !== null ? req.memo!.evaluation!(`${baseKey}\0${policy.digest}\0${waiversInForce(policy, req.now)}`, evaluateBase) : evaluateBase();

  // Governance of the governance: when the change edits invariant files, show what its own
  // policy would do, so weakening is visible and an agent cannot slip it through.
  let headUnderOwnPolicy: Evaluation | null = null;
  let policyDiff: PolicyDiffEntry[] | null = null;
  let headPolicyErrors: PolicyError[] = [];
  if (req.base && policyFilesChanged(policyEntries, headEntries)) {
    const own = await loadPolicy(req.head, headEntries, req.memo);
    if (own.type === "policy") {
      policyDiff = diffPolicies(policy, own.policy);
      const ownSnap = sameReads(policy, own.policy) ? headSnap : await snapshotOf(req.head, { ...snapOpts, reads: own.policy.reads, entries: headVisible, reuse: { entries: headVisible, snapshot: headSnap } }, req.memo);
      headUnderOwnPolicy = evaluatePolicy(own.policy, { snapshot: ownSnap, change, deployment }, req.now);
    } else headPolicyErrors = [...own.errors];
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

/** load + compile: the revision's invariant files as a policy, through the memo when there is one. */
async function loadPolicy(source: FileSource, entries: readonly TreeEntry[], memo: CheckMemo | undefined): Promise<LoadedPolicy> {
  const compute = async (): Promise<LoadedPolicy> => {
    const loaded = await loadPolicySources(source, entries);
    if (loaded.errors.length) return { type: "errors", errors: loaded.errors };
    // No files compiles to the empty policy: a change that deletes them all is judged by it.
    const compiled = compilePolicy(loaded.sources);
    return compiled.ok ? { type: "policy", policy: compiled.policy, files: loaded.sources.length } : { type: "errors", errors: compiled.errors };
  };
  const key = memo ? entriesKey(entries.filter((e) => isPolicyPath(e.path))) : null;
  return memo && key !== null ? memo.policy(key, compute) : compute();
}

/** A snapshot depends on the entries' bytes, what the policy reads and the limits; nothing else. */
function snapshotOf(source: FileSource, opts: BuildOptions & { entries: readonly TreeEntry[] }, memo: CheckMemo | undefined): Promise<RepoSnapshot> {
  const key = memo ? snapshotKey(opts) : null;
  return memo && key !== null ? memo.snapshot(key, () => buildSnapshot(source, opts)) : buildSnapshot(source, opts);
}

function snapshotKey(opts: BuildOptions & { entries: readonly TreeEntry[] }): string | null {
  return entriesKey(opts.entries, JSON.stringify([[...opts.reads].sort(), opts.limits ?? DEFAULT_LIMITS]));
}

/** Which waivers are in force at `now`, one digit each: with the policy and the snapshot, all an evaluation depends on. */
function waiversInForce(policy: CompiledPolicy, now: Date): string {
  const t = now.getTime();
  return policy.waivers.map((w) => (w.expiresAt > t ? "1" : "0")).join("");
}
