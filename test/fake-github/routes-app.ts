import { ApiError, notFound } from "./api-error.js";
import { iso } from "./clock.js";
import type { Core } from "./core.js";
import { paginate } from "./paginate.js";
import { renderApp, renderInstallation, renderRepo } from "./render-account.js";
import type { Ctx, Router } from "./router.js";
import { fullName, type InstallationRecord } from "./state.js";

function liveInstallation(core: Core, id: number): InstallationRecord {
  const inst = core.state.installations.get(id);
  if (!inst || inst.deleted) throw notFound();
  return inst;
}

/** Narrowing a token to named repositories: all must belong to the installation, or 422. */
function requestedRepoIds(ctx: Ctx, inst: InstallationRecord): Set<number> | null {
  const names = ctx.body.repositories as unknown;
  const ids = ctx.body.repository_ids as unknown;
  if (names === undefined && ids === undefined) return null;
  const repos = ctx.core.state.reposOfInstallation(inst.id);
  const picked = new Set<number>();
  const refuse = (): ApiError =>
    new ApiError(422, "There is at least one repository that does not exist or is not accessible to the parent installation.");
  for (const n of Array.isArray(names) ? names : []) {
    const r = repos.find((x) => x.name.toLowerCase() === String(n).toLowerCase());
    if (!r) throw refuse();
    picked.add(r.id);
  }
  for (const id of Array.isArray(ids) ? ids : []) {
    if (!repos.some((x) => x.id === id)) throw refuse();
    picked.add(Number(id));
  }
  return picked;
}

export function addAppRoutes(router: Router): void {
  router
    .get("/app", "app", (ctx) => ({ status: 200, body: renderApp(ctx.core) }))
    .get("/app/installations", "app", (ctx) => {
      const all = [...ctx.core.state.installations.values()].filter((i) => !i.deleted);
      const page = paginate(ctx, all.map((i) => renderInstallation(ctx.core, i)));
      return { status: 200, body: page.items, headers: page.headers };
    })
    .get("/app/installations/:installation_id", "app", (ctx) => ({
      status: 200,
      body: renderInstallation(ctx.core, liveInstallation(ctx.core, Number(ctx.params.installation_id))),
    }))
    .get("/repos/:owner/:repo/installation", "app", (ctx) => {
      const id = ctx.repo.installationId;
      if (id === null) throw notFound();
      return { status: 200, body: renderInstallation(ctx.core, liveInstallation(ctx.core, id)) };
    })
    .post("/app/installations/:installation_id/access_tokens", "app", (ctx) => {
      const inst = liveInstallation(ctx.core, Number(ctx.params.installation_id));
      const repoIds = requestedRepoIds(ctx, inst);
      const token = ctx.core.tokens.mint(inst.id, repoIds);
      const repos = repoIds ? ctx.core.state.reposOfInstallation(inst.id).filter((r) => repoIds.has(r.id)) : null;
      return {
        status: 201,
        body: {
          token: token.token,
          expires_at: iso(token.expiresAt),
          permissions: (ctx.body.permissions as Record<string, string> | undefined) ?? inst.permissions,
          repository_selection: repoIds ? "selected" : inst.repositorySelection,
          ...(repos ? { repositories: repos.map((r) => renderRepo(ctx.core, r)) } : {}),
        },
      };
    })
    .get("/installation/repositories", "installation", (ctx) => {
      if (ctx.auth?.kind !== "installation") throw notFound();
      const { token, installationId } = ctx.auth;
      const inst = liveInstallation(ctx.core, installationId);
      const repos = ctx.core.state
        .reposOfInstallation(installationId)
        .filter((r) => token.repoIds === null || token.repoIds.has(r.id))
        .sort((a, b) => fullName(a).localeCompare(fullName(b)));
      const page = paginate(ctx, repos);
      return {
        status: 200,
        headers: page.headers,
        body: {
          total_count: repos.length,
          repository_selection: inst.repositorySelection,
          repositories: page.items.map((r) => renderRepo(ctx.core, r)),
        },
      };
    });
}
