import { iso } from "./clock.js";
import type { Core } from "./core.js";
import { renderAppRef } from "./render-account.js";
import { branchTip, listBranches } from "./repo-refs.js";
import { fullName, type CheckRunRecord, type CheckSuiteRecord, type RepoRecord } from "./state.js";

/** GitHub creates one suite per app and head SHA, the first time a run is created for it. */
export async function ensureSuite(core: Core, repo: RepoRecord, headSha: string): Promise<CheckSuiteRecord> {
  for (const s of core.state.checkSuites.values()) if (s.repoId === repo.id && s.headSha === headSha) return s;
  const branch = (await listBranches(repo)).find((b) => b.sha === headSha);
  const suite = { id: core.state.nextId(), repoId: repo.id, headSha, headBranch: branch?.name ?? null, createdAt: core.clock.now() };
  core.state.checkSuites.set(suite.id, suite);
  return suite;
}

/** Same-repository open PRs whose head is this SHA; fork PRs are never listed (as on GitHub). */
async function minimalPulls(core: Core, repo: RepoRecord, sha: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const mini = (r: RepoRecord) => ({ id: r.id, url: `${core.url}/repos/${fullName(r)}`, name: r.name });
  for (const pr of core.state.pullsOf(repo.id)) {
    if (pr.state !== "open" || pr.headRepoId !== repo.id) continue;
    const head = await branchTip(repo, pr.headRef);
    if (head !== sha) continue;
    out.push({
      url: `${core.url}/repos/${fullName(repo)}/pulls/${pr.number}`,
      id: pr.id,
      number: pr.number,
      head: { ref: pr.headRef, sha: head, repo: mini(repo) },
      base: { ref: pr.baseRef, sha: await branchTip(repo, pr.baseRef), repo: mini(repo) },
    });
  }
  return out;
}

export async function renderCheckRun(core: Core, repo: RepoRecord, run: CheckRunRecord): Promise<Record<string, unknown>> {
  const base = `${core.url}/repos/${fullName(repo)}`;
  return {
    id: run.id,
    name: run.name,
    node_id: `CR_${run.id}`,
    head_sha: run.headSha,
    external_id: run.externalId ?? "",
    url: `${base}/check-runs/${run.id}`,
    html_url: `https://github.com/${fullName(repo)}/runs/${run.id}`,
    details_url: run.detailsUrl ?? "https://plumbline.example",
    status: run.status,
    conclusion: run.conclusion,
    started_at: iso(run.startedAt),
    completed_at: run.completedAt === null ? null : iso(run.completedAt),
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${base}/check-runs/${run.id}/annotations`,
    },
    check_suite: { id: run.suiteId },
    app: renderAppRef(core),
    pull_requests: await minimalPulls(core, repo, run.headSha),
  };
}

const BLOCKING = ["action_required", "failure", "timed_out", "cancelled", "stale"];

export async function renderCheckSuite(core: Core, repo: RepoRecord, suite: CheckSuiteRecord): Promise<Record<string, unknown>> {
  const runs = [...core.state.checkRuns.values()].filter((r) => r.suiteId === suite.id);
  const status = runs.length === 0 ? "queued" : runs.every((r) => r.status === "completed") ? "completed" : runs.some((r) => r.status === "in_progress") ? "in_progress" : "queued";
  const conclusions = runs.map((r) => r.conclusion);
  const conclusion = status !== "completed" ? null
    : BLOCKING.find((c) => conclusions.includes(c)) ?? (conclusions.every((c) => c === "skipped") ? "skipped" : conclusions.includes("success") ? "success" : "neutral");
  const head = await repo.store.commit(suite.headSha);
  const base = `${core.url}/repos/${fullName(repo)}`;
  return {
    id: suite.id,
    node_id: `CS_${suite.id}`,
    head_branch: suite.headBranch,
    head_sha: suite.headSha,
    status,
    conclusion,
    url: `${base}/check-suites/${suite.id}`,
    before: null,
    after: suite.headSha,
    pull_requests: await minimalPulls(core, repo, suite.headSha),
    app: renderAppRef(core),
    created_at: iso(suite.createdAt),
    updated_at: iso(suite.createdAt),
    rerequestable: true,
    runs_rerequestable: true,
    latest_check_runs_count: new Set(runs.map((r) => r.name)).size,
    check_runs_url: `${base}/check-suites/${suite.id}/check-runs`,
    head_commit: head && {
      id: head.sha,
      tree_id: head.tree,
      message: head.message.replace(/\n$/, ""),
      timestamp: iso(head.committer.seconds * 1000),
      author: { name: head.author.name, email: head.author.email },
      committer: { name: head.committer.name, email: head.committer.email },
    },
  };
}
