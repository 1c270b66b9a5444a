import type { Logger } from "pino";
import type { Probot } from "probot";
import { checkRevision } from "../check/check-revision.js";
import { loadPolicySources } from "../check/load-policy-sources.js";
import type { ActorSignals } from "../core/actor.js";
import { classifyActor } from "../core/classify-actor.js";
import { compilePolicy, type CompiledPolicy } from "../core/compile.js";
import { evaluatePolicy } from "../core/evaluate.js";
import type { Verdict } from "../core/judge.js";
import type { CompiledDeployment } from "../core/kinds/deployment.js";
import { emptySnapshot } from "../core/snapshot.js";
import { installationClient, type GitHubClient } from "../github/github-client.js";
import { githubFileSource } from "../github/github-file-source.js";
import { describeFailure } from "../github/github-read-error.js";
import type { BlobCache } from "../store/blob-cache.js";
import type { RepoScope } from "../store/redis-keys.js";
import type { VerdictCache } from "../store/verdict-cache.js";
import { deployJobSchema, type DeployJob } from "./deploy-job.js";

export interface DeployDeps {
  readonly probot: Probot;
  readonly blobCache: BlobCache | null;
  readonly verdicts: VerdictCache;
  readonly log: Logger;
  readonly now: () => Date;
  /** A cached verdict older than this is evaluated again. */
  readonly maxVerdictAgeMs: number;
  /** Called with every decision (the ledger records it). */
  readonly onDecision?: (job: DeployJob, decision: DeployDecision) => Promise<void>;
}

export interface DeployDecision {
  readonly state: "approved" | "rejected";
  readonly comment: string;
  readonly reused: boolean;
  readonly policyDigest: string | null;
}

/** GitHub shows the comment beside the environment; keep it readable and bounded. */
const MAX_COMMENT = 1000;

/**
 * Answers a deployment protection rule: the deployment invariants for the environment (refs,
 * actor class, freeze windows) and whether every block invariant passes on the SHA. Any error on
 * the last attempt rejects (fail closed), with the reason.
 */
export async function processDeployJob(raw: unknown, deps: DeployDeps, attempt: { final: boolean }): Promise<DeployDecision> {
  const job = deployJobSchema.parse(raw);
  const scope: RepoScope = { installationId: job.installationId, repoId: job.repoId };
  const client = await installationClient(deps.probot, job.installationId);
  let decision: DeployDecision;
  try {
    decision = await decide(client, job, scope, deps);
  } catch (err) {
    if (!attempt.final) throw err;
    decision = { state: "rejected", comment: `Plumbline could not evaluate this deployment, so it is rejected (fail closed): ${describeFailure(err).reason}`, reused: false, policyDigest: null };
  }
  await client.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", {
    owner: job.owner,
    repo: job.repo,
    run_id: job.runId,
    environment_name: job.environment,
    state: decision.state,
    comment: decision.comment.slice(0, MAX_COMMENT),
  });
  await deps.onDecision?.(job, decision).catch((err) => deps.log.warn({ err: (err as Error).message }, "recording the deployment decision failed"));
  deps.log.info({ repoId: job.repoId, environment: job.environment, sha: job.sha, state: decision.state }, "deployment answered");
  return decision;
}

async function decide(client: GitHubClient, job: DeployJob, scope: RepoScope, deps: DeployDeps): Promise<DeployDecision> {
  const repoInfo = (await client.request("GET /repositories/{repository_id}", { repository_id: job.repoId })).data as { name: string; owner: { login: string }; default_branch: string };
  const owner = repoInfo.owner.login;
  const repo = repoInfo.name;
  const defaultBranch = repoInfo.default_branch;
  const tip = (await client.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `heads/${defaultBranch}` })).data.object.sha;
  const source = (sha: string) => githubFileSource({ client, owner, repo, sha, scope, ...(deps.blobCache ? { blobCache: deps.blobCache } : {}) });
  // Deployment rules are the default branch's: a branch cannot carry its own, looser gate.
  const policySource = source(tip);
  const loaded = await loadPolicySources(policySource, await policySource.listFiles());
  const compiled = loaded.errors.length ? { ok: false as const, errors: loaded.errors } : compilePolicy(loaded.sources);
  if (!compiled.ok) {
    const first = compiled.errors[0]!;
    return { state: "rejected", comment: `The invariant files on ${defaultBranch} are invalid (${first.file}:${first.line}: expected ${first.expected}); deployments are rejected until they are fixed.`, reused: false, policyDigest: null };
  }
  const policy = compiled.policy;
  const actorSignals: ActorSignals = { sender: job.sender, prAuthor: job.creator };
  const actor = classifyActor(actorSignals, policy.agents);

  const now = deps.now();
  let reused = true;
  let pass: boolean;
  const cached = await deps.verdicts.fresh(scope, job.sha, policy.digest, now.getTime(), deps.maxVerdictAgeMs);
  if (cached) pass = cached.blockInvariantsPass;
  else {
    reused = false;
    const outcome = await checkRevision({ head: source(job.sha), base: null, policy: policySource, actor: null, now, blockPersisting: true });
    if (outcome.type !== "verdict") pass = outcome.type === "no-policy";
    else {
      pass = blockInvariantsPass(outcome.verdict);
      await deps.verdicts.remember(scope, { sha: job.sha, policyDigest: policy.digest, blockInvariantsPass: pass, conclusion: outcome.verdict.conclusion, at: now.getTime() });
    }
  }

  const request = { environment: job.environment, ref: job.ref, sha: job.sha, defaultBranch, actor, invariantsPass: pass, at: job.at };
  const gates = deploymentOnly(policy);
  const evaluation = evaluatePolicy(gates, { snapshot: emptySnapshot(), change: null, deployment: request }, now);
  const blocking = evaluation.findings.filter((f) => !f.waiver && f.enforcement === "block");
  const env = job.environment.toLowerCase();
  const covering = gates.invariants.filter((i) => (i.compiled as CompiledDeployment).environments.some((g) => g.test(env))).map((i) => i.header.id);
  const basis = `${reused ? "reused the verdict" : "evaluated"} for ${job.sha.slice(0, 7)} under policy ${policy.digest.slice(0, 12)}`;
  if (blocking.length > 0) {
    const reasons = blocking.map((f) => `${f.invariant}: ${f.message}`).join("; ");
    return { state: "rejected", comment: `Rejected by Plumbline (${basis}): ${reasons}`, reused, policyDigest: policy.digest };
  }
  if (covering.length === 0) {
    // No deployment invariant names this environment: the gate still requires passing invariants.
    if (!pass) return { state: "rejected", comment: `Rejected by Plumbline (${basis}): block invariants fail on ${job.sha.slice(0, 7)}; fix them or deploy a commit where they pass.`, reused, policyDigest: policy.digest };
  }
  const by = covering.length ? `deployment invariants ${covering.join(", ")} hold` : "no deployment invariant covers this environment and block invariants pass";
  return { state: "approved", comment: `Approved by Plumbline (${basis}): ${by}; actor ${actor.class}${actor.agent ? ` ${actor.agent}` : ""} (${actor.signal}).`, reused, policyDigest: policy.digest };
}

/** Every unwaived block finding on the SHA counts, introduced or not: a deployment ships all of it. */
export function blockInvariantsPass(v: Verdict): boolean {
  if (v.invariants.some((r) => r.status === "error")) return false;
  return !v.findings.some((f) => !f.waiver && f.enforcement === "block" && f.status !== "resolved" && f.kind !== "deployment");
}

function deploymentOnly(policy: CompiledPolicy): CompiledPolicy {
  return { ...policy, invariants: policy.invariants.filter((i) => i.header.kind === "deployment"), waivers: [] };
}
