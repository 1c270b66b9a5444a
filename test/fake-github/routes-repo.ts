import { posix } from "node:path";
import { ApiError, notFound } from "./api-error.js";
import type { TreeEntry } from "./git-store.js";
import { renderRepo } from "./render-account.js";
import { refMissing, resolveCommitish } from "./repo-refs.js";
import type { Ctx, Reply, Router } from "./router.js";
import { wantsRaw, wrapBase64 } from "./routes-git.js";
import { fullName } from "./state.js";

const KIND: Record<TreeEntry["type"], string> = { blob: "file", tree: "dir", commit: "submodule" };

function entryJson(ctx: Ctx, e: TreeEntry, ref: string): Record<string, unknown> {
  const name = fullName(ctx.repo);
  const type = e.mode === "120000" ? "symlink" : KIND[e.type];
  const self = `${ctx.core.url}/repos/${name}/contents/${e.path}?ref=${ref}`;
  const git = `${ctx.core.url}/repos/${name}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`;
  const html = `https://github.com/${name}/${e.type === "tree" ? "tree" : "blob"}/${ref}/${e.path}`;
  return {
    type,
    size: e.size ?? 0,
    name: posix.basename(e.path),
    path: e.path,
    sha: e.sha,
    url: self,
    git_url: e.type === "commit" ? null : git,
    html_url: html,
    download_url: e.type === "blob" ? `https://raw.githubusercontent.com/${name}/${ref}/${e.path}` : null,
    _links: { self, git, html },
  };
}

async function contents(ctx: Ctx): Promise<Reply> {
  const ref = ctx.query.get("ref") ?? ctx.repo.defaultBranch;
  const commit = await resolveCommitish(ctx.repo, ref);
  if (!commit) throw await refMissing(ctx.repo, notFound(`No commit found for the ref ${ref}`));
  const tree = (await ctx.repo.store.commit(commit))!.tree;
  const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const list = async (dir: string): Promise<TreeEntry[] | null> => {
    try {
      const entries = await ctx.repo.store.lsTree(dir ? `${tree}:${dir}` : tree, false);
      return entries.map((e) => ({ ...e, path: dir ? `${dir}/${e.path}` : e.path }));
    } catch {
      return null;
    }
  };
  if (!path) return { status: 200, body: (await list(""))!.map((e) => entryJson(ctx, e, ref)) };
  const parent = posix.dirname(path) === "." ? "" : posix.dirname(path);
  const entry = (await list(parent))?.find((e) => e.path === path);
  if (!entry) throw notFound();
  if (entry.type === "tree") return { status: 200, body: (await list(path))!.map((e) => entryJson(ctx, e, ref)) };
  if (entry.type === "commit") return { status: 200, body: { ...entryJson(ctx, entry, ref), submodule_git_url: null } };
  const blob = (await ctx.repo.store.readObject(entry.sha))!;
  if (wantsRaw(ctx)) return { status: 200, raw: blob.data, headers: { "content-type": "application/vnd.github.raw" } };
  if (entry.mode === "120000") return { status: 200, body: { ...entryJson(ctx, entry, ref), target: blob.data.toString("utf8") } };
  if (blob.data.length > ctx.core.limits.contentsMaxBytes) {
    throw new ApiError(403, "This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.", {
      errors: [{ resource: "Blob", field: "data", code: "too_large" }],
      documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content",
    });
  }
  return { status: 200, body: { ...entryJson(ctx, entry, ref), content: wrapBase64(blob.data), encoding: "base64" } };
}

async function tarball(ctx: Ctx): Promise<Reply> {
  const ref = ctx.params.ref ?? ctx.repo.defaultBranch;
  const sha = await resolveCommitish(ctx.repo, ref);
  if (!sha) throw await refMissing(ctx.repo, notFound());
  const prefix = `${ctx.repo.owner.login}-${ctx.repo.name}-${sha.slice(0, 7)}/`;
  const token = ctx.core.links.create(ctx.repo.id, sha, prefix);
  const location = `${ctx.core.codeloadUrl}/${fullName(ctx.repo)}/legacy.tar.gz/${encodeURIComponent(ref)}?token=${token}`;
  return { status: 302, headers: { location }, raw: Buffer.alloc(0) };
}

export function addRepoRoutes(router: Router): void {
  router
    .get("/repos/:owner/:repo", "installation", (ctx) => ({
      status: 200,
      body: { ...renderRepo(ctx.core, ctx.repo), permissions: { admin: false, maintain: false, push: false, triage: false, pull: true } },
    }))
    .get("/repos/:owner/:repo/contents", "installation", contents)
    .get("/repos/:owner/:repo/contents/*path", "installation", contents)
    .get("/repos/:owner/:repo/tarball", "installation", tarball)
    .get("/repos/:owner/:repo/tarball/*ref", "installation", tarball);
}
