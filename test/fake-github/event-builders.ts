import type { Core } from "./core.js";
import type { MergeGroup, PullChanges } from "./control-pulls.js";
import type { SenderInput } from "./payload-common.js";
import {
  deploymentProtectionRulePayload, installationPayload, installationRepositoriesPayload, type DeploymentRequestInput,
} from "./payloads-app.js";
import { checkRunPayload, checkSuitePayload, mergeGroupPayload, pullRequestPayload, pushPayload, type PushEventInput } from "./payloads-code.js";
import { branchTip } from "./repo-refs.js";

type Payload = Record<string, unknown>;

/** GitHub-shaped payloads built from the fake's current state; deliver them with `fake.deliver`. */
export interface EventBuilders {
  push(repo: string, input: PushEventInput): Promise<Payload>;
  pullRequest(
    repo: string, number: number,
    action: "opened" | "synchronize" | "reopened" | "ready_for_review" | "edited" | "closed" | "converted_to_draft" | "labeled",
    opts?: { sender?: SenderInput; changes?: PullChanges; before?: string; after?: string },
  ): Promise<Payload>;
  /** `headSha` defaults to the default branch tip. */
  checkSuite(repo: string, action: "requested" | "rerequested" | "completed", opts?: { headSha?: string; sender?: SenderInput }): Promise<Payload>;
  checkRun(repo: string, checkRunId: number, action: "created" | "completed" | "rerequested" | "requested_action", opts?: { identifier?: string; sender?: SenderInput }): Promise<Payload>;
  mergeGroup(repo: string, group: MergeGroup, action?: "checks_requested" | "destroyed", opts?: { sender?: SenderInput; reason?: "merged" | "invalidated" | "dequeued" }): Promise<Payload>;
  installation(installationId: number, action: "created" | "deleted" | "suspend" | "unsuspend" | "new_permissions_accepted", opts?: { sender?: SenderInput }): Payload;
  installationRepositories(installationId: number, action: "added" | "removed", repos: string[], opts?: { sender?: SenderInput }): Payload;
  /** Also registers the waiting run, so the app's answer to `deployment_callback_url` is accepted once. */
  deploymentProtectionRule(repo: string, input: DeploymentRequestInput): Promise<Payload>;
}

export function createEventBuilders(core: Core): EventBuilders {
  const repo = (name: string) => core.state.requireRepo(name);
  return {
    push: (r, input) => pushPayload(core, repo(r), input),
    pullRequest: (r, n, action, opts) => pullRequestPayload(core, repo(r), n, action, opts),
    checkSuite: async (r, action, opts = {}) => {
      const rec = repo(r);
      const headSha = opts.headSha ?? (await branchTip(rec, rec.defaultBranch));
      if (!headSha) throw new Error(`fake-github: ${r} has no commits`);
      return checkSuitePayload(core, rec, action, { headSha, sender: opts.sender });
    },
    checkRun: (r, id, action, opts) => checkRunPayload(core, repo(r), id, action, opts),
    mergeGroup: (r, group, action = "checks_requested", opts) => mergeGroupPayload(core, repo(r), group, action, opts),
    installation: (id, action, opts) => installationPayload(core, id, action, opts),
    installationRepositories: (id, action, names, opts) => installationRepositoriesPayload(core, id, action, names.map(repo), opts),
    deploymentProtectionRule: (r, input) => deploymentProtectionRulePayload(core, repo(r), input),
  };
}
