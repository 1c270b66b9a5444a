import { notFound } from "./api-error.js";
import { paginate } from "./paginate.js";
import { renderCommit, renderDiffFile } from "./render-commit.js";
import { pullShas, renderPull } from "./render-pull.js";
import type { Ctx, Reply, Router } from "./router.js";
import type { PullRecord } from "./state.js";
import { loadCommits } from "./routes-commits.js";

function findPull(ctx: Ctx): PullRecord {
  const pr = ctx.core.state.pullsOf(ctx.repo.id).find((p) => p.number === Number(ctx.params.number));
  if (!pr) throw notFound();
  return pr;
}

async function listPulls(ctx: Ctx): Promise<Reply> {
  const state = ctx.query.get("state") ?? "open";
  const head = ctx.query.get("head");
  const base = ctx.query.get("base");
  let pulls = ctx.core.state.pullsOf(ctx.repo.id).filter((p) => state === "all" || p.state === state);
  if (head) {
    // `head` is `user:ref`; without the owner GitHub matches nothing useful, so neither do we.
    const [owner, ref] = head.includes(":") ? head.split(":", 2) as [string, string] : [ctx.repo.owner.login, head];
    pulls = pulls.filter((p) => {
      const headRepo = ctx.core.state.repos.get(p.headRepoId)!;
      return p.headRef === ref && headRepo.owner.login.toLowerCase() === owner.toLowerCase();
    });
  }
  if (base) pulls = pulls.filter((p) => p.baseRef === base);
  const asc = ctx.query.get("direction") === "asc";
  pulls = [...pulls].sort((a, b) => (asc ? a.number - b.number : b.number - a.number));
  const page = paginate(ctx, pulls);
  return { status: 200, headers: page.headers, body: await Promise.all(page.items.map((p) => renderPull(ctx.core, p, false))) };
}

export function addPullRoutes(router: Router): void {
  router
    .get("/repos/:owner/:repo/pulls", "installation", listPulls)
    .get("/repos/:owner/:repo/pulls/:number", "installation", async (ctx) => ({
      status: 200,
      body: await renderPull(ctx.core, findPull(ctx), true),
    }))
    .get("/repos/:owner/:repo/pulls/:number/commits", "installation", async (ctx): Promise<Reply> => {
      const shas = await pullShas(ctx.core, findPull(ctx));
      const list = await ctx.repo.store.revList(shas.head, [shas.base], ctx.core.limits.maxListedCommits);
      const page = paginate(ctx, list);
      const commits = await loadCommits(ctx.repo, page.items);
      return { status: 200, headers: page.headers, body: commits.map((c) => renderCommit(ctx.core, ctx.repo, c)) };
    })
    .get("/repos/:owner/:repo/pulls/:number/files", "installation", async (ctx): Promise<Reply> => {
      const shas = await pullShas(ctx.core, findPull(ctx));
      const files = shas.mergeBase ? await ctx.repo.store.diff(shas.mergeBase, shas.head) : [];
      const page = paginate(ctx, files.slice(0, ctx.core.limits.pullMaxFiles));
      return { status: 200, headers: page.headers, body: page.items.map((f) => renderDiffFile(ctx.core, ctx.repo, shas.head, f)) };
    });
}
