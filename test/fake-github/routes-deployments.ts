import { ApiError, invalidRequest, notFound } from "./api-error.js";
import type { Reply, Router } from "./router.js";

/** Custom deployment protection rules: one answer per environment and run, recorded for tests. */
export function addDeploymentRoutes(router: Router): void {
  router.post("/repos/:owner/:repo/actions/runs/:run_id/deployment_protection_rule", "installation", (ctx): Reply => {
    const runId = Number(ctx.params.run_id);
    const { environment_name: env, state, comment } = ctx.body;
    if (typeof env !== "string" || !env) throw invalidRequest(`"environment_name" wasn't supplied.`);
    if (state !== "approved" && state !== "rejected") {
      throw invalidRequest(`For 'properties/state', ${JSON.stringify(state ?? null)} is not a member of ["approved", "rejected"].`);
    }
    if (comment !== undefined && typeof comment !== "string") throw invalidRequest(`For 'properties/comment', ${JSON.stringify(comment)} is not a string.`);
    const runs = [...ctx.core.state.deploymentRuns.values()].filter((r) => r.repoId === ctx.repo.id && r.runId === runId);
    if (runs.length === 0) throw notFound();
    const pending = runs.find((r) => r.environment === env);
    const answered = ctx.core.state.deploymentAnswers.some((a) => a.repoId === ctx.repo.id && a.runId === runId && a.environment === env);
    if (!pending || answered) throw new ApiError(422, "No pending deployment requests to approve or reject");
    ctx.core.state.deploymentAnswers.push({ repoId: ctx.repo.id, runId, environment: env, state, comment: comment ?? "", at: ctx.core.clock.now() });
    return { status: 204 };
  });
}
