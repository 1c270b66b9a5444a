import { noCommitForSha, notFound } from "./api-error.js";
import type { CommitInfo } from "./git-store.js";
import { renderCommit, renderDiffFile } from "./render-commit.js";
import { refMissing, resolveCommitish } from "./repo-refs.js";
import type { Ctx, Reply, Router } from "./router.js";
import { fullName, type RepoRecord } from "./state.js";

/** `owner:ref` names a ref in another repository of the same fork network. */
function sideRepo(ctx: Ctx, side: string): { repo: RepoRecord; ref: string } | null {
  const colon = side.indexOf(":");
  if (colon < 0) return { repo: ctx.repo, ref: side };
  const owner = side.slice(0, colon).toLowerCase();
  const ref = side.slice(colon + 1);
  if (owner === ctx.repo.owner.login.toLowerCase()) return { repo: ctx.repo, ref };
  const root = ctx.repo.parentId ?? ctx.repo.id;
  for (const r of ctx.core.state.repos.values()) {
    if (r.owner.login.toLowerCase() === owner && (r.id === root || r.parentId === root)) return { repo: r, ref };
  }
  return null;
}

export async function loadCommits(repo: RepoRecord, shas: readonly string[]): Promise<CommitInfo[]> {
  return Promise.all(shas.map(async (s) => (await repo.store.commit(s))!));
}

async function compare(ctx: Ctx): Promise<Reply> {
  const spec = ctx.params.basehead!;
  const parts = spec.includes("...") ? spec.split("...") : spec.split("..");
  if (parts.length !== 2) throw notFound();
  const base = sideRepo(ctx, parts[0]!);
  const head = sideRepo(ctx, parts[1]!);
  const baseSha = base && (await resolveCommitish(base.repo, base.ref));
  const headSha = head && (await resolveCommitish(head.repo, head.ref));
  if (!baseSha || !headSha) throw await refMissing(ctx.repo, notFound());
  const store = ctx.repo.store;
  const mergeBase = await store.mergeBase(baseSha, headSha);
  if (!mergeBase) throw notFound(`No common ancestor between ${parts[0]} and ${parts[1]}.`);
  const ahead = await store.revList(headSha, [baseSha]);
  const behind = await store.revList(baseSha, [headSha]);
  const status = ahead.length === 0 && behind.length === 0 ? "identical" : behind.length === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged";
  const files = await store.diff(mergeBase, headSha);
  const listed = await loadCommits(ctx.repo, ahead.slice(0, ctx.core.limits.maxListedCommits));
  const name = fullName(ctx.repo);
  return {
    status: 200,
    body: {
      url: `${ctx.core.url}/repos/${name}/compare/${spec}`,
      html_url: `https://github.com/${name}/compare/${spec}`,
      permalink_url: `https://github.com/${name}/compare/${baseSha}...${headSha}`,
      diff_url: `https://github.com/${name}/compare/${spec}.diff`,
      patch_url: `https://github.com/${name}/compare/${spec}.patch`,
      base_commit: renderCommit(ctx.core, ctx.repo, (await store.commit(baseSha))!),
      merge_base_commit: renderCommit(ctx.core, ctx.repo, (await store.commit(mergeBase))!),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: listed.map((c) => renderCommit(ctx.core, ctx.repo, c)),
      files: files.slice(0, ctx.core.limits.compareMaxFiles).map((f) => renderDiffFile(ctx.core, ctx.repo, headSha, f)),
    },
  };
}

export function addCommitRoutes(router: Router): void {
  router
    .get("/repos/:owner/:repo/commits/*ref", "installation", async (ctx): Promise<Reply> => {
      const sha = await resolveCommitish(ctx.repo, ctx.params.ref!);
      // GitHub answers 422 (not 404) for a ref or SHA it cannot find here.
      if (!sha) throw await refMissing(ctx.repo, noCommitForSha(ctx.params.ref!));
      const info = (await ctx.repo.store.commit(sha))!;
      const files = await ctx.repo.store.diff(info.parents[0] ?? null, sha);
      return { status: 200, body: renderCommit(ctx.core, ctx.repo, info, files) };
    })
    .get("/repos/:owner/:repo/compare/*basehead", "installation", compare);
}
