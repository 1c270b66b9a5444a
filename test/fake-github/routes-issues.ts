import { notFound, validationFailed } from "./api-error.js";
import { iso } from "./clock.js";
import type { Core } from "./core.js";
import { paginate } from "./paginate.js";
import { renderUser } from "./render-account.js";
import type { Ctx, Reply, Router } from "./router.js";
import { fullName, type CommentRecord, type IssueRecord, type RepoRecord } from "./state.js";

function labelJson(name: string): Record<string, unknown> {
  return { id: Buffer.from(name).reduce((h, b) => (h * 31 + b) >>> 0, 7), name, color: "ededed", default: false, description: null };
}

function renderIssue(core: Core, repo: RepoRecord, i: IssueRecord): Record<string, unknown> {
  const api = `${core.url}/repos/${fullName(repo)}/issues/${i.number}`;
  return {
    id: i.id, node_id: `I_${i.id}`, url: api, html_url: `https://github.com/${fullName(repo)}/issues/${i.number}`,
    comments_url: `${api}/comments`, number: i.number, state: i.state, state_reason: i.stateReason, title: i.title,
    body: i.body, user: renderUser(core, i.user), labels: i.labels.map(labelJson),
    assignees: i.assignees.map((l) => renderUser(core, core.state.user(l))), locked: false, comments: i.comments.length,
    created_at: iso(i.createdAt), updated_at: iso(i.updatedAt), closed_at: i.closedAt === null ? null : iso(i.closedAt),
    author_association: "NONE",
  };
}

function renderComment(core: Core, repo: RepoRecord, issue: { number: number }, c: CommentRecord): Record<string, unknown> {
  const api = `${core.url}/repos/${fullName(repo)}/issues`;
  return {
    id: c.id, node_id: `IC_${c.id}`, url: `${api}/comments/${c.id}`,
    html_url: `https://github.com/${fullName(repo)}/issues/${issue.number}#issuecomment-${c.id}`,
    issue_url: `${api}/${issue.number}`, body: c.body, user: renderUser(core, c.user),
    created_at: iso(c.createdAt), updated_at: iso(c.updatedAt), author_association: "NONE",
    performed_via_github_app: c.user.type === "Bot" ? { id: core.app.id, slug: core.app.slug } : null,
  };
}

/** Issues and PRs share one number sequence; the issues list includes PRs, marked `pull_request`. */
function listEntries(ctx: Ctx): Record<string, unknown>[] {
  const { core, repo } = ctx;
  const state = ctx.query.get("state") ?? "open";
  const labels = (ctx.query.get("labels") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const creator = ctx.query.get("creator")?.toLowerCase();
  const issues = core.state.issuesOf(repo.id)
    .filter((i) => state === "all" || i.state === state)
    .filter((i) => labels.every((l) => i.labels.includes(l)))
    .filter((i) => !creator || i.user.login.toLowerCase() === creator)
    .map((i) => ({ n: i.number, json: renderIssue(core, repo, i) }));
  const pulls = core.state.pullsOf(repo.id)
    .filter((p) => (state === "all" || p.state === state) && labels.every((l) => p.labels.includes(l)))
    .filter((p) => !creator || p.user.login.toLowerCase() === creator)
    .map((p) => ({
      n: p.number,
      json: {
        id: p.id, number: p.number, title: p.title, state: p.state, body: p.body, user: renderUser(core, p.user),
        labels: p.labels.map(labelJson), created_at: iso(p.createdAt), updated_at: iso(p.updatedAt),
        pull_request: { url: `${core.url}/repos/${fullName(repo)}/pulls/${p.number}` },
      },
    }));
  return [...issues, ...pulls].sort((a, b) => b.n - a.n).map((x) => x.json);
}

function findIssue(ctx: Ctx): IssueRecord {
  const issue = ctx.core.state.issuesOf(ctx.repo.id).find((i) => i.number === Number(ctx.params.number));
  if (!issue) throw notFound();
  return issue;
}

/** Comments go to issues and PRs alike (a PR's conversation is its issue's). */
function findThread(ctx: Ctx): { number: number; comments: CommentRecord[] } {
  const n = Number(ctx.params.number);
  const thread = ctx.core.state.issuesOf(ctx.repo.id).find((i) => i.number === n) ?? ctx.core.state.pullsOf(ctx.repo.id).find((p) => p.number === n);
  if (!thread) throw notFound();
  return thread;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : String((x as { name?: unknown })?.name))) : undefined;
}

export function addIssueRoutes(router: Router): void {
  router
    .get("/repos/:owner/:repo/issues", "installation", (ctx) => {
      const page = paginate(ctx, listEntries(ctx));
      return { status: 200, body: page.items, headers: page.headers };
    })
    .post("/repos/:owner/:repo/issues", "installation", (ctx): Reply => {
      const title = ctx.body.title;
      if (typeof title !== "string" || !title) throw validationFailed([{ resource: "Issue", code: "missing_field", field: "title" }]);
      const now = ctx.core.clock.now();
      const issue: IssueRecord = {
        id: ctx.core.state.nextId(), number: ctx.repo.nextNumber++, repoId: ctx.repo.id, title,
        body: typeof ctx.body.body === "string" ? ctx.body.body : null, user: ctx.core.app.bot, state: "open",
        stateReason: null, labels: strings(ctx.body.labels) ?? [], assignees: strings(ctx.body.assignees) ?? [],
        createdAt: now, updatedAt: now, closedAt: null, comments: [],
      };
      ctx.core.state.issuesOf(ctx.repo.id).push(issue);
      return { status: 201, body: renderIssue(ctx.core, ctx.repo, issue) };
    })
    .get("/repos/:owner/:repo/issues/:number", "installation", (ctx) => ({ status: 200, body: renderIssue(ctx.core, ctx.repo, findIssue(ctx)) }))
    .patch("/repos/:owner/:repo/issues/:number", "installation", (ctx): Reply => {
      const issue = findIssue(ctx);
      const b = ctx.body;
      if (typeof b.title === "string") issue.title = b.title;
      if (typeof b.body === "string" || b.body === null) issue.body = b.body as string | null;
      if (b.state !== undefined && b.state !== "open" && b.state !== "closed") {
        throw validationFailed([{ resource: "Issue", code: "invalid", field: "state" }]);
      }
      if (b.state === "closed" && issue.state === "open") { issue.state = "closed"; issue.closedAt = ctx.core.clock.now(); issue.stateReason = typeof b.state_reason === "string" ? b.state_reason : "completed"; }
      if (b.state === "open" && issue.state === "closed") { issue.state = "open"; issue.closedAt = null; issue.stateReason = "reopened"; }
      issue.labels = strings(b.labels) ?? issue.labels;
      issue.assignees = strings(b.assignees) ?? issue.assignees;
      issue.updatedAt = ctx.core.clock.now();
      return { status: 200, body: renderIssue(ctx.core, ctx.repo, issue) };
    })
    .get("/repos/:owner/:repo/issues/:number/comments", "installation", (ctx) => {
      const issue = findThread(ctx);
      const page = paginate(ctx, issue.comments);
      return { status: 200, headers: page.headers, body: page.items.map((c) => renderComment(ctx.core, ctx.repo, issue, c)) };
    })
    .post("/repos/:owner/:repo/issues/:number/comments", "installation", (ctx): Reply => {
      const issue = findThread(ctx);
      if (typeof ctx.body.body !== "string" || !ctx.body.body) {
        throw validationFailed([{ resource: "IssueComment", code: "missing_field", field: "body" }]);
      }
      const now = ctx.core.clock.now();
      const comment = { id: ctx.core.state.nextId(), body: ctx.body.body, user: ctx.core.app.bot, createdAt: now, updatedAt: now };
      issue.comments.push(comment);
      return { status: 201, body: renderComment(ctx.core, ctx.repo, issue, comment) };
    });
}
