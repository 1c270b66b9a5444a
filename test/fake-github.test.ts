import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeGitHub, ZERO_SHA, type FakeGitHub } from "./fake-github/index.js";

const ORG = "acme";
const REPO = `${ORG}/widgets`;
let fake: FakeGitHub;
let installationId: number;
let token: string;
let base: string;
let feature: string;

async function call(path: string, init: { method?: string; body?: unknown; auth?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { accept: "application/vnd.github+json", ...init.headers };
  const auth = init.auth === undefined ? `token ${token}` : init.auth;
  if (auth) headers.authorization = auth;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${fake.url}${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), redirect: "manual" });
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text };
}

async function mintToken(id: number, body: unknown = {}) {
  const r = await call(`/app/installations/${id}/access_tokens`, { method: "POST", auth: `Bearer ${fake.appJwt()}`, body });
  expect(r.status).toBe(201);
  return r.json.token as string;
}

const annotation = (line: number) => ({ path: "src/a.ts", start_line: line, end_line: line, annotation_level: "failure", message: `m${line}` });

beforeAll(async () => {
  fake = await createFakeGitHub({ webhookSecret: "s3cret", limits: { maxTreeEntries: 5 } });
  installationId = fake.createInstallation({ account: { login: ORG, type: "Organization" } }).id;
  await fake.createRepo(installationId, { owner: ORG, name: "widgets" });
  base = await fake.commit(REPO, {
    branch: "main", message: "initial",
    files: { "README.md": "hello\n", "src/a.ts": "export const a = 1;\n", "src/old.ts": "x\n".repeat(20), "src/gone.ts": "bye\n", "big.bin": Buffer.alloc(2048, 7) },
  });
  feature = await fake.commit(REPO, {
    branch: "feature", message: "feat: work\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
    author: { name: "Alice", email: "alice@example.com", login: "alice" },
    files: { "src/a.ts": "export const a = 2;\n", "src/new.ts": "x\n".repeat(20), "src/old.ts": null, "src/gone.ts": null, "src/b.ts": "b\n" },
  });
  // A later default-branch commit makes the feature branch diverge.
  await fake.commit(REPO, { branch: "main", message: "main moves", files: { "docs/x.md": "doc\n" } });
  token = await mintToken(installationId);
});

afterAll(async () => {
  await fake?.close();
});

describe("app authentication", () => {
  it("serves /app to a valid JWT and rejects expired, foreign or missing ones", async () => {
    expect((await call("/app", { auth: `Bearer ${fake.appJwt()}` })).json.id).toBe(fake.appId);
    const { generateKeyPairSync } = await import("node:crypto");
    const foreignKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const other = await createFakeGitHub({ privateKeyPem: foreignKey });
    try {
      expect((await call("/app", { auth: `Bearer ${other.appJwt()}` })).status).toBe(401);
    } finally { await other.close(); }
    const jwt = fake.appJwt();
    fake.advanceTime(11 * 60_000);
    const expired = await call("/app", { auth: `Bearer ${jwt}` });
    expect(expired.status).toBe(401);
    expect(expired.json.message).toMatch(/'exp'/);
    expect((await call("/app", { auth: `token ${token}` })).status).toBe(401);
    expect((await call(`/repos/${REPO}`, { auth: null })).status).toBe(401);
  });

  it("returns the repository's installation to the app", async () => {
    const r = await call(`/repos/${REPO}/installation`, { auth: `Bearer ${fake.appJwt()}` });
    expect(r.json).toMatchObject({ id: installationId, account: { login: ORG, type: "Organization" }, app_id: fake.appId });
  });
});

describe("installation tokens", () => {
  it("are scoped to their installation: another tenant's repo is a 404", async () => {
    const other = fake.createInstallation({ account: { login: "globex", type: "Organization" } }).id;
    await fake.createRepo(other, { owner: "globex", name: "secret" });
    await fake.commit("globex/secret", { branch: "main", message: "x", files: { "a": "1" } });
    const otherToken = await mintToken(other);
    expect((await call("/repos/globex/secret", { auth: `token ${otherToken}` })).status).toBe(200);
    const cross = await call("/repos/globex/secret");
    expect(cross.status).toBe(404);
    expect(cross.json.message).toBe("Not Found");
    expect((await call(`/repos/${REPO}`, { auth: `Bearer ${otherToken}` })).status).toBe(404);
  });

  it("can be narrowed to repository ids and lists only those", async () => {
    await fake.createRepo(installationId, { owner: ORG, name: "gadgets" });
    const narrow = await mintToken(installationId, { repository_ids: [fake.repoId(REPO)] });
    const list = await call("/installation/repositories", { auth: `token ${narrow}` });
    expect(list.json.repositories.map((r: any) => r.full_name)).toEqual([REPO]);
    expect((await call(`/repos/${ORG}/gadgets`, { auth: `token ${narrow}` })).status).toBe(404);
    expect((await call(`/repos/${ORG}/gadgets/git/trees/main`)).status).toBe(409);
    expect((await call(`/app/installations/${installationId}/access_tokens`, { method: "POST", auth: `Bearer ${fake.appJwt()}`, body: { repository_ids: [1] } })).status).toBe(422);
  });

  it("expire after their lifetime or on expireTokens()", async () => {
    const t = await mintToken(installationId);
    fake.advanceTime(61 * 60_000);
    expect((await call(`/repos/${REPO}`, { auth: `token ${t}` })).json.message).toBe("Bad credentials");
    const t2 = await mintToken(installationId);
    fake.expireTokens();
    const r = await call(`/repos/${REPO}`, { auth: `token ${t2}` });
    expect(r.status).toBe(401);
    token = await mintToken(installationId);
  });
});

describe("git data", () => {
  it("lists trees with GitHub's entry shape and truncates past the configured maximum", async () => {
    const top = await call(`/repos/${REPO}/git/trees/${base}`);
    expect(top.json.truncated).toBe(false);
    expect(top.json.tree.find((e: any) => e.path === "src")).toMatchObject({ type: "tree", mode: "040000" });
    expect(top.json.tree.find((e: any) => e.path === "big.bin")).toMatchObject({ type: "blob", size: 2048 });
    const rec = await call(`/repos/${REPO}/git/trees/main?recursive=1`);
    expect(rec.json.truncated).toBe(true);
    expect(rec.json.tree).toHaveLength(5);
    fake.limits.maxTreeEntries = 100_000;
    const full = await call(`/repos/${REPO}/git/trees/main?recursive=1`);
    expect(full.json.truncated).toBe(false);
    expect(full.json.tree.map((e: any) => e.path)).toContain("src/a.ts");
    expect((await call(`/repos/${REPO}/git/trees/${"f".repeat(40)}`)).status).toBe(404);
  });

  it("serves blobs, commits and refs", async () => {
    const tree = (await call(`/repos/${REPO}/git/trees/${base}?recursive=1`)).json.tree;
    const readme = tree.find((e: any) => e.path === "README.md");
    const blob = await call(`/repos/${REPO}/git/blobs/${readme.sha}`);
    expect(blob.json).toMatchObject({ encoding: "base64", size: 6, sha: readme.sha });
    expect(Buffer.from(blob.json.content, "base64").toString()).toBe("hello\n");
    const commit = await call(`/repos/${REPO}/git/commits/${feature}`);
    expect(commit.json).toMatchObject({ sha: feature, parents: [{ sha: base }], author: { name: "Alice", email: "alice@example.com" } });
    expect(commit.json.message).toContain("Co-Authored-By");
    expect((await call(`/repos/${REPO}/git/ref/heads/feature`)).json.object.sha).toBe(feature);
    expect((await call(`/repos/${REPO}/git/ref/heads/nope`)).status).toBe(404);
    const refs = await call(`/repos/${REPO}/git/matching-refs/heads/fea`);
    expect(refs.json.map((r: any) => r.ref)).toEqual(["refs/heads/feature"]);
  });

  it("writes reproducible SHAs", async () => {
    const other = await createFakeGitHub();
    try {
      const id = other.createInstallation({ account: { login: ORG, type: "Organization" } }).id;
      await other.createRepo(id, { owner: ORG, name: "widgets" });
      const again = await other.commit(REPO, {
        branch: "main", message: "initial",
        files: { "README.md": "hello\n", "src/a.ts": "export const a = 1;\n", "src/old.ts": "x\n".repeat(20), "src/gone.ts": "bye\n", "big.bin": Buffer.alloc(2048, 7) },
      });
      expect(again).toBe(base);
    } finally { await other.close(); }
  });
});

describe("contents, commits, compare, tarball", () => {
  it("returns files as base64, directories as lists, and refuses files over the limit", async () => {
    const file = await call(`/repos/${REPO}/contents/src/a.ts?ref=feature`);
    expect(Buffer.from(file.json.content, "base64").toString()).toBe("export const a = 2;\n");
    const dir = await call(`/repos/${REPO}/contents/src`);
    expect(dir.json.map((e: any) => `${e.type}:${e.name}`)).toContain("file:a.ts");
    fake.limits.contentsMaxBytes = 1024;
    const big = await call(`/repos/${REPO}/contents/big.bin`);
    expect(big.status).toBe(403);
    expect(big.json.errors[0].code).toBe("too_large");
    fake.limits.contentsMaxBytes = 1024 * 1024;
    expect((await call(`/repos/${REPO}/contents/nope.txt`)).status).toBe(404);
    expect((await call(`/repos/${REPO}/contents/README.md?ref=nope`)).status).toBe(404);
  });

  it("names the mapped author login on commits and 422s unknown refs", async () => {
    const c = await call(`/repos/${REPO}/commits/feature`);
    expect(c.json).toMatchObject({ sha: feature, author: { login: "alice" }, commit: { tree: { sha: expect.any(String) } } });
    expect(c.json.files.map((f: any) => f.filename).sort()).toEqual(["src/a.ts", "src/b.ts", "src/gone.ts", "src/new.ts"]);
    expect((await call(`/repos/${REPO}/commits/${base}`)).json.author).toBeNull();
    expect((await call(`/repos/${REPO}/commits/no-such-branch`)).status).toBe(422);
  });

  it("compares from the merge base with renames, removals and commit authors", async () => {
    const r = await call(`/repos/${REPO}/compare/main...feature`);
    expect(r.json).toMatchObject({ status: "diverged", ahead_by: 1, behind_by: 1, merge_base_commit: { sha: base } });
    const byName = Object.fromEntries(r.json.files.map((f: any) => [f.filename, f]));
    expect(byName["src/new.ts"]).toMatchObject({ status: "renamed", previous_filename: "src/old.ts" });
    expect(byName["src/gone.ts"].status).toBe("removed");
    expect(byName["src/b.ts"].status).toBe("added");
    expect(byName["src/a.ts"]).toMatchObject({ status: "modified", additions: 1, deletions: 1 });
    expect(byName["docs/x.md"]).toBeUndefined();
    expect(r.json.commits[0]).toMatchObject({ sha: feature, author: { login: "alice" }, commit: { message: expect.stringContaining("feat: work") } });
    fake.limits.compareMaxFiles = 2;
    expect((await call(`/repos/${REPO}/compare/${base}...${feature}`)).json.files).toHaveLength(2);
    fake.limits.compareMaxFiles = 300;
  });

  it("redirects tarballs to an expiring codeload link whose archive extracts with tar", async () => {
    const r = await call(`/repos/${REPO}/tarball/${feature}`);
    expect(r.status).toBe(302);
    const location = r.headers.get("location")!;
    expect(location.startsWith(fake.codeloadUrl)).toBe(true);
    const archive = Buffer.from(await (await fetch(location)).arrayBuffer());
    const dir = mkdtempSync(join(tmpdir(), "fake-gh-tar-"));
    try {
      writeFileSync(join(dir, "a.tgz"), archive);
      execFileSync("tar", ["-xzf", "a.tgz"], { cwd: dir });
      const prefix = `acme-widgets-${feature.slice(0, 7)}`;
      expect(readdirSync(dir)).toContain(prefix);
      expect(readFileSync(join(dir, prefix, "src/a.ts"), "utf8")).toBe("export const a = 2;\n");
    } finally { rmSync(dir, { recursive: true, force: true }); }
    fake.advanceTime(5 * 60_000 + 1000);
    expect((await fetch(location)).status).toBe(404);
    token = await mintToken(installationId);
  });
});

describe("check runs", () => {
  it("validates like GitHub: unknown head_sha, missing conclusion, >50 annotations, columns, actions", async () => {
    const post = (body: unknown) => call(`/repos/${REPO}/check-runs`, { method: "POST", body });
    const unknown = await post({ name: "plumbline", head_sha: "a".repeat(40) });
    expect(unknown.status).toBe(422);
    expect(unknown.json.message).toBe(`No commit found for SHA: ${"a".repeat(40)}`);
    expect((await post({ name: "plumbline", head_sha: feature, status: "completed" })).status).toBe(422);
    const tooMany = await post({ name: "p", head_sha: feature, output: { title: "t", summary: "s", annotations: Array.from({ length: 51 }, (_, i) => annotation(i + 1)) } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.message).toContain("No more than 50 items are allowed; 51 were supplied.");
    const cols = { ...annotation(1), end_line: 2, start_column: 1, end_column: 3 };
    expect((await post({ name: "p", head_sha: feature, output: { title: "t", summary: "s", annotations: [cols] } })).status).toBe(422);
    expect((await post({ name: "p", head_sha: feature, output: { title: "t", summary: "x".repeat(65536) } })).status).toBe(422);
    const action = { label: "Fix", description: "d", identifier: "fix" };
    expect((await post({ name: "p", head_sha: feature, actions: [action, action, action, action] })).status).toBe(422);
    expect((await post({ name: "p", head_sha: feature, actions: [{ ...action, label: "x".repeat(21) }] })).status).toBe(422);
    expect(fake.checkRuns(REPO)).toHaveLength(0);
  });

  it("appends annotations on update, replaces the summary and lists runs by ref", async () => {
    const created = await call(`/repos/${REPO}/check-runs`, {
      method: "POST",
      body: { name: "plumbline", head_sha: feature, status: "in_progress", external_id: "job-1", output: { title: "Running", summary: "first", annotations: Array.from({ length: 50 }, (_, i) => annotation(i + 1)) } },
    });
    expect(created.status).toBe(201);
    const id = created.json.id;
    const patched = await call(`/repos/${REPO}/check-runs/${id}`, {
      method: "PATCH",
      body: { conclusion: "failure", output: { title: "2 violations", summary: "second", annotations: [annotation(99)] } },
    });
    expect(patched.json).toMatchObject({ status: "completed", conclusion: "failure", output: { summary: "second", title: "2 violations", annotations_count: 51 } });
    const page2 = await call(`/repos/${REPO}/check-runs/${id}/annotations?per_page=50&page=2`);
    expect(page2.json).toEqual([expect.objectContaining({ start_line: 99, message: "m99" })]);
    const list = await call(`/repos/${REPO}/commits/feature/check-runs?check_name=plumbline`);
    expect(list.json).toMatchObject({ total_count: 1, check_runs: [{ id, external_id: "job-1", app: { id: fake.appId } }] });
    expect((await call(`/repos/${REPO}/commits/${feature}/check-runs?check_name=other`)).json.total_count).toBe(0);
    const suites = await call(`/repos/${REPO}/commits/${feature}/check-suites`);
    expect(suites.json.check_suites[0]).toMatchObject({ head_sha: feature, status: "completed", conclusion: "failure" });
    const [snap] = fake.checkRuns(REPO, feature);
    expect(snap!.annotations).toHaveLength(51);
    expect(snap!.history.map((h) => h.op)).toEqual(["create", "update"]);
  });
});

describe("pull requests, merge queue, issues, deployments", () => {
  it("serves PRs with live head/base SHAs, files, commits, forks and merges", async () => {
    const n = await fake.openPullRequest(REPO, { head: "feature", base: "main", title: "Feature", user: { login: "alice" } });
    const pr = (await call(`/repos/${REPO}/pulls/${n}`)).json;
    expect(pr).toMatchObject({ number: n, state: "open", merged: false, head: { ref: "feature", sha: feature, repo: { full_name: REPO, fork: false } }, base: { ref: "main" }, user: { login: "alice" } });
    expect((await call(`/repos/${REPO}/pulls?state=open&head=${ORG}:feature`)).json).toHaveLength(1);
    expect((await call(`/repos/${REPO}/pulls?head=${ORG}:other`)).json).toHaveLength(0);
    expect((await call(`/repos/${REPO}/pulls/${n}/files`)).json.map((f: any) => f.filename)).toContain("src/new.ts");
    expect((await call(`/repos/${REPO}/pulls/${n}/commits`)).json.map((c: any) => c.sha)).toEqual([feature]);
    const runs = (await call(`/repos/${REPO}/commits/${feature}/check-runs`)).json.check_runs;
    expect(runs[0].pull_requests[0].number).toBe(n);

    const fork = await fake.forkRepo(REPO, "mallory");
    const forkSha = await fake.commit(fork, { branch: "evil", message: "x", files: { ".github/workflows/ci.yml": "on: push\n" } });
    const fn = await fake.openPullRequest(REPO, { head: "evil", title: "Evil", user: { login: "mallory" }, fromFork: true });
    const fpr = (await call(`/repos/${REPO}/pulls/${fn}`)).json;
    expect(fpr.head).toMatchObject({ sha: forkSha, label: "mallory:evil", repo: { full_name: "mallory/widgets", fork: true } });
    expect((await call(`/repos/${REPO}/check-runs`, { method: "POST", body: { name: "plumbline", head_sha: forkSha } })).status).toBe(201);
    expect((await call(`/repos/mallory/widgets`)).status).toBe(404);

    const group = await fake.createMergeGroup(REPO, n);
    expect(group.headRef).toMatch(new RegExp(`^refs/heads/gh-readonly-queue/main/pr-${n}-[0-9a-f]{40}$`));
    const mg = await fake.events.mergeGroup(REPO, group);
    expect(mg).toMatchObject({ action: "checks_requested", merge_group: { head_sha: group.headSha, base_sha: group.baseSha }, installation: { id: installationId } });

    const merged = await fake.mergePullRequest(REPO, n);
    expect((await call(`/repos/${REPO}/pulls/${n}`)).json).toMatchObject({ merged: true, state: "closed", merge_commit_sha: merged });
    expect(await fake.branchTip(REPO, "main")).toBe(merged);
    expect((await call(`/repos/${REPO}/pulls/${n}/commits`)).json.map((c: any) => c.sha)).toEqual([feature]);
  });

  it("creates, filters, closes and comments on issues", async () => {
    const bad = await call(`/repos/${REPO}/issues`, { method: "POST", body: { body: "no title" } });
    expect(bad.status).toBe(422);
    const created = await call(`/repos/${REPO}/issues`, { method: "POST", body: { title: "Plumbline dashboard", labels: ["plumbline"] } });
    expect(created.json).toMatchObject({ state: "open", user: { login: "plumbline[bot]", type: "Bot" } });
    const listed = await call(`/repos/${REPO}/issues?labels=plumbline&creator=plumbline[bot]`);
    expect(listed.json.map((i: any) => i.number)).toEqual([created.json.number]);
    const n = created.json.number;
    expect((await call(`/repos/${REPO}/issues/${n}/comments`, { method: "POST", body: { body: "hi" } })).status).toBe(201);
    expect((await call(`/repos/${REPO}/issues/${n}/comments`)).json).toHaveLength(1);
    await call(`/repos/${REPO}/issues/${n}`, { method: "PATCH", body: { state: "closed" } });
    expect((await call(`/repos/${REPO}/issues?labels=plumbline`)).json).toHaveLength(0);
  });

  it("accepts one deployment protection answer per run and environment", async () => {
    const payload: any = await fake.events.deploymentProtectionRule(REPO, { environment: "production" });
    const path = new URL(payload.deployment_callback_url).pathname;
    expect((await call(path, { method: "POST", body: { environment_name: "production", state: "maybe" } })).status).toBe(422);
    expect((await call(path, { method: "POST", body: { environment_name: "production", state: "rejected", comment: "red" } })).status).toBe(204);
    expect((await call(path, { method: "POST", body: { environment_name: "production", state: "approved" } })).status).toBe(422);
    expect(fake.deploymentAnswers(REPO)).toEqual([expect.objectContaining({ environment: "production", state: "rejected", comment: "red" })]);
  });
});

describe("payload builders", () => {
  it("builds pull_request, check_run, check_suite and installation payloads from live state", async () => {
    await fake.commit(REPO, { branch: "topic", message: "t", files: { "t.txt": "t" } });
    await fake.createBranch(REPO, "release", "main");
    const n = await fake.openPullRequest(REPO, { head: "topic", title: "Topic", user: { login: "copilot-swe-agent[bot]", type: "Bot" } });
    const before = (await fake.branchTip(REPO, "topic"))!;
    const after = await fake.commit(REPO, { branch: "topic", message: "t2", files: { "t.txt": "t2" } });
    const sync: any = await fake.events.pullRequest(REPO, n, "synchronize", { before, after });
    expect(sync).toMatchObject({ action: "synchronize", number: n, before, after, pull_request: { head: { sha: after }, user: { type: "Bot" } }, repository: { full_name: REPO, default_branch: "main" }, organization: { login: ORG } });
    const changes = await fake.updatePullRequest(REPO, n, { base: "release" });
    const edited: any = await fake.events.pullRequest(REPO, n, "edited", { changes });
    expect(edited.changes.base.ref.from).toBe("main");
    expect(edited.pull_request.base.ref).toBe("release");
    await fake.mergePullRequest(REPO, n, { method: "squash" });
    expect(await fake.events.pullRequest(REPO, n, "closed")).toMatchObject({ pull_request: { merged: true, state: "closed" } });

    const run = await call(`/repos/${REPO}/check-runs`, { method: "POST", body: { name: "plumbline", head_sha: after, actions: [{ label: "Re-run", description: "again", identifier: "rerun" }] } });
    const action: any = await fake.events.checkRun(REPO, run.json.id, "requested_action", { identifier: "rerun" });
    expect(action).toMatchObject({ requested_action: { identifier: "rerun" }, check_run: { id: run.json.id, head_sha: after, check_suite: { head_sha: after } } });
    const suite: any = await fake.events.checkSuite(REPO, "rerequested", { headSha: after });
    expect(suite.check_suite).toMatchObject({ head_sha: after, app: { id: fake.appId } });
    expect(fake.events.installation(installationId, "created").repositories).toEqual(expect.arrayContaining([expect.objectContaining({ full_name: REPO })]));
    expect(fake.events.installationRepositories(installationId, "removed", [REPO])).toMatchObject({ repositories_removed: [{ full_name: REPO }], repositories_added: [] });
  });

  it("moves a transferred repository out of its old installation's reach", async () => {
    await fake.createRepo(installationId, { owner: ORG, name: "moving" });
    const target = fake.createInstallation({ account: { login: "initech", type: "Organization" } }).id;
    const moved = fake.transferRepo(`${ORG}/moving`, "initech", { installationId: target });
    expect(moved).toBe("initech/moving");
    expect((await call(`/repos/initech/moving`)).status).toBe(404);
    expect((await call(`/repos/initech/moving`, { auth: `token ${fake.installationToken(target)}` })).status).toBe(200);
  });
});

describe("faults and rate limits", () => {
  it("injects 5xx, secondary rate limits, latency and dropped connections, then recovers", async () => {
    fake.inject({ pathPattern: /\/git\/trees\//, times: 1, status: 503 });
    expect((await call(`/repos/${REPO}/git/trees/main`)).status).toBe(503);
    expect((await call(`/repos/${REPO}/git/trees/main`)).status).toBe(200);
    fake.inject({ method: "POST", pathPattern: /\/check-runs$/, times: 1, secondaryRateLimit: { retryAfterSeconds: 7 } });
    const limited = await call(`/repos/${REPO}/check-runs`, { method: "POST", body: { name: "x", head_sha: feature } });
    expect(limited.status).toBe(403);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(limited.json.message).toMatch(/You have exceeded a secondary rate limit/);
    fake.inject({ pathPattern: /^\/repos\/acme\/widgets$/, times: 1, latencyMs: 150 });
    const t0 = performance.now();
    expect((await call(`/repos/${REPO}`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    fake.inject({ pathPattern: /^\/repos\/acme\/widgets$/, times: 1, dropConnection: true });
    await expect(call(`/repos/${REPO}`)).rejects.toThrow();
  });

  it("reports the primary budget, refuses when exhausted and does not charge 304s", async () => {
    const r = await call(`/repos/${REPO}`);
    const remaining = Number(r.headers.get("x-ratelimit-remaining"));
    expect(r.headers.get("x-ratelimit-limit")).toBe("5000");
    const again = await call(`/repos/${REPO}`, { headers: { "if-none-match": r.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect(fake.rateLimitRemaining(installationId)).toBe(remaining);
    fake.setRateLimit(installationId, { remaining: 0, resetInMs: 60_000 });
    const refused = await call(`/repos/${REPO}`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(refused.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    fake.setRateLimit(installationId, {});
  });
});

describe("webhooks", () => {
  let receiver: Server;
  const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  let reply = { status: 202, delayMs: 0 };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        setTimeout(() => { res.writeHead(reply.status); res.end("ok"); }, reply.delayMs);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    fake.setWebhookTarget(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`);
  });
  afterAll(() => { receiver.closeAllConnections(); receiver.close(); });

  it("signs the raw body with HMAC-SHA256 and sends GitHub's headers", async () => {
    const res = await fake.push(REPO, { branch: "agent/x", message: "agent", files: { "a.txt": "1" }, sender: { login: "claude[bot]", id: 209825114, type: "Bot" } });
    expect(res.delivery.status).toBe(202);
    const last = received.at(-1)!;
    const expected = `sha256=${createHmac("sha256", "s3cret").update(last.body).digest("hex")}`;
    expect(last.headers["x-hub-signature-256"]).toBe(expected);
    expect(last.headers).toMatchObject({ "x-github-event": "push", "user-agent": "GitHub-Hookshot/fake", "content-type": "application/json" });
    const payload = JSON.parse(last.body.toString());
    expect(payload).toMatchObject({ ref: "refs/heads/agent/x", before: ZERO_SHA, after: res.sha, created: true, forced: false, sender: { login: "claude[bot]", type: "Bot" }, installation: { id: installationId } });
    expect(payload.commits.map((c: any) => c.id)).toEqual([res.sha]);
    const bad = await fake.deliver("push", payload, { signature: "sha256=00" });
    expect(received.at(-1)!.headers["x-hub-signature-256"]).toBe("sha256=00");
    expect(bad.status).toBe(202);
  });

  it("marks force pushes and lists deliveries that can be redelivered with the same guid", async () => {
    const tip = (await fake.branchTip(REPO, "agent/x"))!;
    const forced = await fake.push(REPO, { branch: "agent/x", message: "rewrite", files: { "b.txt": "2" }, parents: [base], force: true });
    expect(JSON.parse(received.at(-1)!.body.toString())).toMatchObject({ before: tip, forced: true });
    reply = { status: 500, delayMs: 0 };
    const failed = await fake.deliver("pull_request", { action: "opened", installation: { id: installationId } });
    reply = { status: 202, delayMs: 0 };
    const list = await call("/app/hook/deliveries", { auth: `Bearer ${fake.appJwt()}` });
    const entry = list.json.find((d: any) => d.guid === failed.deliveryId);
    expect(entry).toMatchObject({ status_code: 500, event: "pull_request", action: "opened", redelivery: false });
    expect(list.json.find((d: any) => d.guid === forced.delivery.deliveryId).status).toBe("OK");
    const attempt = await call(`/app/hook/deliveries/${entry.id}/attempts`, { method: "POST", auth: `Bearer ${fake.appJwt()}` });
    expect(attempt.status).toBe(202);
    await fake.webhooksSettled();
    expect(received.at(-1)!.headers["x-github-delivery"]).toBe(failed.deliveryId);
    expect(fake.deliveries.at(-1)).toMatchObject({ guid: failed.deliveryId, redelivery: true, statusCode: 202 });
  });

  it("gives up after the timeout like GitHub", async () => {
    reply = { status: 200, delayMs: 500 };
    const r = await fake.deliver("ping", { zen: "x" }, { timeoutMs: 100 });
    reply = { status: 202, delayMs: 0 };
    expect(r).toMatchObject({ status: 0, error: "timed out" });
  });
});

describe("bookkeeping", () => {
  it("records every request and flags endpoints the fake does not serve", async () => {
    fake.clearRequests();
    const r = await call(`/repos/${REPO}/branches`);
    expect(r.status).toBe(404);
    expect(r.json.message).toBe("Not Found");
    expect(fake.unexpectedRequests).toEqual([expect.objectContaining({ method: "GET", url: `/repos/${REPO}/branches` })]);
    expect(fake.requests).toEqual([expect.objectContaining({ method: "GET", path: `/repos/${REPO}/branches`, status: 404, auth: "installation" })]);
  });

  it("keeps the id across a rename and redirects the old name", async () => {
    const id = fake.repoId(REPO);
    fake.renameRepo(REPO, "gizmos");
    const moved = await call(`/repos/${REPO}`);
    expect(moved.status).toBe(301);
    const followed = await fetch(`${fake.url}/repos/${REPO}`, { headers: { authorization: `token ${token}` } });
    expect(await followed.json()).toMatchObject({ id, full_name: `${ORG}/gizmos` });
    fake.renameRepo(`${ORG}/gizmos`, "widgets");
    expect((await call(`/repos/${REPO}`)).json.id).toBe(id);
  });
});
