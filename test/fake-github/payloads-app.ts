import { iso } from "./clock.js";
import type { Core } from "./core.js";
import { envelope, senderOf, type SenderInput } from "./payload-common.js";
import { renderInstallation, renderUser } from "./render-account.js";
import { resolveCommitish } from "./repo-refs.js";
import { fullName, type RepoRecord } from "./state.js";

const repoRef = (r: RepoRecord) => ({ id: r.id, node_id: `R_${r.id}`, name: r.name, full_name: fullName(r), private: r.private });

function installationOf(core: Core, id: number) {
  const inst = core.state.installations.get(id);
  if (!inst) throw new Error(`fake-github: unknown installation ${id}`);
  return inst;
}

export function installationPayload(core: Core, installationId: number, action: string, opts: { sender?: SenderInput } = {}): Record<string, unknown> {
  const inst = installationOf(core, installationId);
  return {
    action,
    installation: renderInstallation(core, inst),
    repositories: core.state.reposOfInstallation(inst.id).map(repoRef),
    requester: null,
    sender: renderUser(core, senderOf(core, opts.sender, inst.account)),
  };
}

export function installationRepositoriesPayload(
  core: Core, installationId: number, action: "added" | "removed", repos: RepoRecord[], opts: { sender?: SenderInput } = {},
): Record<string, unknown> {
  const inst = installationOf(core, installationId);
  return {
    action,
    installation: renderInstallation(core, inst),
    repository_selection: inst.repositorySelection,
    repositories_added: action === "added" ? repos.map(repoRef) : [],
    repositories_removed: action === "removed" ? repos.map(repoRef) : [],
    requester: null,
    sender: renderUser(core, senderOf(core, opts.sender, inst.account)),
  };
}

export interface DeploymentRequestInput {
  environment: string;
  /** Branch or tag being deployed; default: the default branch. */
  ref?: string;
  /** Default: the tip of `ref`. */
  sha?: string;
  /** The workflow trigger (`push`, `workflow_dispatch`, `deployment`…). */
  event?: string;
  creator?: SenderInput;
  sender?: SenderInput;
  /** Reuse a run to have it wait on a second environment. */
  runId?: number;
}

/** Registers the waiting workflow run the app must answer, then builds the event. */
export async function deploymentProtectionRulePayload(core: Core, repo: RepoRecord, input: DeploymentRequestInput): Promise<Record<string, unknown>> {
  const ref = input.ref ?? repo.defaultBranch;
  const sha = input.sha ?? (await resolveCommitish(repo, ref));
  if (!sha) throw new Error(`fake-github: cannot resolve ${ref} in ${fullName(repo)}`);
  const runId = input.runId ?? core.state.nextId();
  const deploymentId = core.state.nextId();
  core.state.deploymentRuns.set(`${runId}/${input.environment}`, { runId, repoId: repo.id, deploymentId, environment: input.environment, sha, ref });
  const creator = senderOf(core, input.creator, repo.owner);
  const api = `${core.url}/repos/${fullName(repo)}`;
  const now = iso(core.clock.now());
  return {
    action: "requested",
    environment: input.environment,
    event: input.event ?? "push",
    deployment_callback_url: `${api}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: {
      url: `${api}/deployments/${deploymentId}`, id: deploymentId, node_id: `DE_${deploymentId}`, task: "deploy",
      original_environment: input.environment, environment: input.environment, description: null, sha, ref,
      payload: {}, creator: renderUser(core, creator), created_at: now, updated_at: now,
      statuses_url: `${api}/deployments/${deploymentId}/statuses`, repository_url: api,
      transient_environment: false, production_environment: /prod/i.test(input.environment),
    },
    pull_requests: [],
    ...envelope(core, repo, senderOf(core, input.sender, creator)),
  };
}
