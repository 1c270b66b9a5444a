import { notFound } from "./api-error.js";
import { renderGitCommit } from "./render-commit.js";
import { isSafeRefName, listBranches, refMissing, resolveCommitish } from "./repo-refs.js";
import type { Ctx, Reply, Router } from "./router.js";
import { fullName, type RepoRecord } from "./state.js";

/** GitHub wraps base64 content at 60 characters, with a trailing newline. */
export const wrapBase64 = (buf: Buffer): string => (buf.toString("base64").match(/.{1,60}/g) ?? [""]).join("\n") + "\n";

/** `Accept: application/vnd.github.raw` (Octokit's `mediaType: {format: "raw"}`) asks for bare bytes. */
export const wantsRaw = (ctx: Ctx): boolean => /vnd\.github(\.v3)?\.raw/.test(String(ctx.headers.accept ?? ""));

async function treeShaFor(repo: RepoRecord, name: string): Promise<string | null> {
  if (/^[0-9a-f]{40}$/.test(name)) {
    const obj = await repo.store.readObject(name);
    if (obj?.type === "tree") return obj.sha;
    if (obj?.type === "commit") return (await repo.store.commit(obj.sha))?.tree ?? null;
    return null;
  }
  const commit = await resolveCommitish(repo, name);
  return commit ? ((await repo.store.commit(commit))?.tree ?? null) : null;
}

function refJson(ctx: Ctx, ref: string, sha: string): Record<string, unknown> {
  const base = `${ctx.core.url}/repos/${fullName(ctx.repo)}`;
  return { ref, node_id: `REF_${Buffer.from(ref).toString("base64url")}`, url: `${base}/git/${ref}`, object: { sha, type: "commit", url: `${base}/git/commits/${sha}` } };
}

/** Refs under `heads/` live in the repository's own branch namespace (forks share one store). */
async function matchingRefs(ctx: Ctx, wanted: string, exact: boolean): Promise<Record<string, unknown>[]> {
  const m = /^(heads|tags)\/?(.*)$/.exec(wanted);
  if (!m || (m[2] && !isSafeRefName(m[2]))) return [];
  const [, kind, rest = ""] = m;
  const refs = kind === "heads"
    ? (await listBranches(ctx.repo)).map((b) => ({ ref: `refs/heads/${b.name}`, sha: b.sha }))
    : await ctx.repo.store.listRefs("refs/tags");
  return refs
    .filter((r) => (exact ? r.ref === `refs/${kind}/${rest}` : r.ref.startsWith(`refs/${kind}/${rest}`)))
    .map((r) => refJson(ctx, r.ref, r.sha));
}

export function addGitRoutes(router: Router): void {
  router
    .get("/repos/:owner/:repo/git/trees/*sha", "installation", async (ctx): Promise<Reply> => {
      const sha = await treeShaFor(ctx.repo, ctx.params.sha!);
      if (!sha) throw await refMissing(ctx.repo, notFound());
      // GitHub recurses for any value of `recursive`, even "0" or "false".
      const entries = await ctx.repo.store.lsTree(sha, ctx.query.has("recursive"));
      const max = ctx.core.limits.maxTreeEntries;
      const base = `${ctx.core.url}/repos/${fullName(ctx.repo)}/git`;
      const tree = entries.slice(0, max).map((e) => ({
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(e.type === "blob" ? { size: e.size, url: `${base}/blobs/${e.sha}` } : {}),
        ...(e.type === "tree" ? { url: `${base}/trees/${e.sha}` } : {}),
      }));
      return { status: 200, body: { sha, url: `${base}/trees/${sha}`, tree, truncated: entries.length > max } };
    })
    .get("/repos/:owner/:repo/git/blobs/:sha", "installation", async (ctx): Promise<Reply> => {
      const obj = /^[0-9a-f]{40}$/.test(ctx.params.sha!) ? await ctx.repo.store.readObject(ctx.params.sha!) : null;
      if (!obj || obj.type !== "blob") throw notFound();
      if (wantsRaw(ctx)) return { status: 200, raw: obj.data, headers: { "content-type": "application/vnd.github.raw" } };
      return {
        status: 200,
        body: {
          sha: obj.sha,
          node_id: `B_${obj.sha}`,
          size: obj.data.length,
          url: `${ctx.core.url}/repos/${fullName(ctx.repo)}/git/blobs/${obj.sha}`,
          content: wrapBase64(obj.data),
          encoding: "base64",
        },
      };
    })
    .get("/repos/:owner/:repo/git/commits/:sha", "installation", async (ctx): Promise<Reply> => {
      const info = /^[0-9a-f]{40}$/.test(ctx.params.sha!) ? await ctx.repo.store.commit(ctx.params.sha!) : null;
      if (!info) throw notFound();
      return { status: 200, body: renderGitCommit(ctx.core, ctx.repo, info) };
    })
    .get("/repos/:owner/:repo/git/ref/*ref", "installation", async (ctx): Promise<Reply> => {
      const [hit] = await matchingRefs(ctx, ctx.params.ref!, true);
      if (!hit) throw notFound();
      return { status: 200, body: hit };
    })
    .get("/repos/:owner/:repo/git/matching-refs/*ref", "installation", async (ctx): Promise<Reply> => ({
      status: 200,
      body: await matchingRefs(ctx, ctx.params.ref!, false),
    }));
}
