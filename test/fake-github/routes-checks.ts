import { invalidRequest, noCommitForSha, notFound } from "./api-error.js";
import { parseCheckRunBody, type CheckRunInput } from "./check-run-validation.js";
import { paginate } from "./paginate.js";
import { ensureSuite, renderCheckRun, renderCheckSuite } from "./render-check.js";
import { resolveCommitish } from "./repo-refs.js";
import type { Ctx, Reply, Router } from "./router.js";
import { fullName, type CheckRunRecord } from "./state.js";

function time(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidRequest(`For 'properties', ${JSON.stringify(value)} is not a date-time.`);
  return ms;
}

function findRun(ctx: Ctx): CheckRunRecord {
  const run = ctx.core.state.checkRuns.get(Number(ctx.params.id));
  if (!run || run.repoId !== ctx.repo.id) throw notFound();
  return run;
}

/** Applies a validated body; a conclusion implies `completed`, as GitHub documents. */
function apply(ctx: Ctx, run: CheckRunRecord, input: CheckRunInput): void {
  const now = ctx.core.clock.now();
  if (input.name !== undefined) run.name = input.name;
  if (input.detailsUrl !== undefined) run.detailsUrl = input.detailsUrl;
  if (input.externalId !== undefined) run.externalId = input.externalId;
  if (input.startedAt !== undefined) run.startedAt = time(input.startedAt, now);
  if (input.status !== undefined && input.status !== "completed") {
    run.status = input.status;
    run.conclusion = null;
    run.completedAt = null;
  }
  if (input.conclusion !== undefined) {
    run.status = "completed";
    run.conclusion = input.conclusion;
    run.completedAt = time(input.completedAt, now);
  }
  if (input.output) {
    // GitHub replaces title/summary/text and appends annotations to those already stored.
    if (input.output.title !== undefined) run.output.title = input.output.title;
    if (input.output.summary !== undefined) run.output.summary = input.output.summary;
    if (input.output.text !== undefined) run.output.text = input.output.text;
    run.annotations.push(...input.output.annotations);
  }
  if (input.actions) run.actions = input.actions;
}

async function createRun(ctx: Ctx): Promise<Reply> {
  const input = parseCheckRunBody(ctx.body, "create");
  const headSha = input.headSha!;
  const sha = /^[0-9a-f]{40}$/.test(headSha) ? await ctx.repo.store.commitSha(headSha) : null;
  if (!sha) throw noCommitForSha(headSha);
  const suite = await ensureSuite(ctx.core, ctx.repo, sha);
  const now = ctx.core.clock.now();
  const run: CheckRunRecord = {
    id: ctx.core.state.nextId(), repoId: ctx.repo.id, suiteId: suite.id, headSha: sha, name: input.name!,
    status: "queued", conclusion: null, startedAt: now, completedAt: null, externalId: null, detailsUrl: null,
    output: { title: null, summary: null, text: null }, annotations: [], actions: [],
    history: [{ op: "create", at: now, body: ctx.body }],
  };
  apply(ctx, run, input);
  ctx.core.state.checkRuns.set(run.id, run);
  return { status: 201, body: await renderCheckRun(ctx.core, ctx.repo, run) };
}

async function updateRun(ctx: Ctx): Promise<Reply> {
  const run = findRun(ctx);
  const input = parseCheckRunBody(ctx.body, "update");
  apply(ctx, run, input);
  run.history.push({ op: "update", at: ctx.core.clock.now(), body: ctx.body });
  return { status: 200, body: await renderCheckRun(ctx.core, ctx.repo, run) };
}

async function runsForRef(ctx: Ctx): Promise<Reply> {
  const sha = await resolveCommitish(ctx.repo, ctx.params.ref!);
  if (!sha) throw noCommitForSha(ctx.params.ref!);
  let runs = [...ctx.core.state.checkRuns.values()].filter((r) => r.repoId === ctx.repo.id && r.headSha === sha);
  const name = ctx.query.get("check_name");
  const status = ctx.query.get("status");
  const appId = ctx.query.get("app_id");
  if (name !== null) runs = runs.filter((r) => r.name === name);
  if (status !== null) runs = runs.filter((r) => r.status === status);
  if (appId !== null && Number(appId) !== ctx.core.app.id) runs = [];
  runs.sort((a, b) => b.id - a.id);
  // filter=latest (the default) keeps the most recent run of each name.
  if ((ctx.query.get("filter") ?? "latest") === "latest") {
    const seen = new Set<string>();
    runs = runs.filter((r) => !seen.has(r.name) && seen.add(r.name));
  }
  const page = paginate(ctx, runs);
  return {
    status: 200,
    headers: page.headers,
    body: { total_count: runs.length, check_runs: await Promise.all(page.items.map((r) => renderCheckRun(ctx.core, ctx.repo, r))) },
  };
}

async function suitesForRef(ctx: Ctx): Promise<Reply> {
  const sha = await resolveCommitish(ctx.repo, ctx.params.ref!);
  if (!sha) throw noCommitForSha(ctx.params.ref!);
  const suites = [...ctx.core.state.checkSuites.values()].filter((s) => s.repoId === ctx.repo.id && s.headSha === sha);
  const page = paginate(ctx, suites);
  return {
    status: 200,
    headers: page.headers,
    body: { total_count: suites.length, check_suites: await Promise.all(page.items.map((s) => renderCheckSuite(ctx.core, ctx.repo, s))) },
  };
}

export function addCheckRoutes(router: Router): void {
  router
    .post("/repos/:owner/:repo/check-runs", "installation", createRun)
    .patch("/repos/:owner/:repo/check-runs/:id", "installation", updateRun)
    .get("/repos/:owner/:repo/check-runs/:id", "installation", async (ctx) => ({
      status: 200,
      body: await renderCheckRun(ctx.core, ctx.repo, findRun(ctx)),
    }))
    .get("/repos/:owner/:repo/check-runs/:id/annotations", "installation", (ctx) => {
      const run = findRun(ctx);
      const blob = `https://github.com/${fullName(ctx.repo)}/blob/${run.headSha}/`;
      const all = run.annotations.map((a) => ({
        path: a.path, blob_href: blob + a.path, start_line: a.start_line, start_column: a.start_column ?? null,
        end_line: a.end_line, end_column: a.end_column ?? null, annotation_level: a.annotation_level,
        title: a.title ?? null, message: a.message, raw_details: a.raw_details ?? null,
      }));
      const page = paginate(ctx, all);
      return { status: 200, body: page.items, headers: page.headers };
    })
    .get("/repos/:owner/:repo/commits/*ref/check-runs", "installation", runsForRef)
    .get("/repos/:owner/:repo/commits/*ref/check-suites", "installation", suitesForRef);
}
