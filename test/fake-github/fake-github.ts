import { generateKeyPair } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { publicKeyOf, signAppJwt } from "./app-jwt.js";
import { Clock } from "./clock.js";
import { createCodeloadHandler } from "./codeload.js";
import * as pulls from "./control-pulls.js";
import * as repos from "./control-repos.js";
import { DEFAULT_LIMITS, type AppIdentity, type Core, type Limits } from "./core.js";
import { DownloadLinks } from "./download-links.js";
import { Faults, type FaultHandle, type FaultSpec } from "./faults.js";
import { ZERO_SHA } from "./git-store.js";
import { InstallationTokens } from "./installation-tokens.js";
import { createEventBuilders, type EventBuilders } from "./event-builders.js";
import type { SenderInput } from "./payload-common.js";
import { RateLimits, type RateLimitOptions } from "./rate-limits.js";
import { branchTip } from "./repo-refs.js";
import { buildRouter } from "./routes.js";
import { createRequestHandler, type RecordedRequest, type UnexpectedRequest } from "./server.js";
import { FakeState, fullName, type AccountType, type DeploymentAnswer, type RepoRecord } from "./state.js";
import { Webhooks, type DeliverOptions, type DeliverResult, type DeliveryRecord } from "./webhooks.js";
import { snapshotCheckRun, type CheckRunSnapshot } from "./check-run-snapshot.js";

export interface FakeGitHubOptions {
  webhookSecret?: string;
  appId?: number;
  appSlug?: string;
  /** The app's private key (PKCS#1 or PKCS#8 PEM). Generated when absent; read it back from `fake.privateKeyPem`. */
  privateKeyPem?: string;
  /** Installation token lifetime (GitHub: 1 hour). */
  tokenTtlMs?: number;
  rateLimit?: RateLimitOptions;
  limits?: Partial<Limits>;
}

export interface PushInput extends repos.CommitInput {
  sender?: SenderInput;
  /** Also deliver `check_suite.requested`, as GitHub does after every push for apps with checks. */
  checkSuite?: boolean;
}

export interface PushResult {
  sha: string;
  before: string;
  delivery: DeliverResult;
  checkSuiteDelivery?: DeliverResult;
}

/** A stateful GitHub over real HTTP and real git. Control methods are plain calls, not HTTP. */
export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly unexpectedRequests: UnexpectedRequest[] = [];
  readonly events: EventBuilders;

  constructor(
    private readonly core: Core,
    private readonly rateLimits: RateLimits,
    private readonly faults: Faults,
    private readonly rootDir: string,
    private readonly servers: Server[],
    readonly privateKeyPem: string,
  ) {
    this.events = createEventBuilders(core);
  }

  get url(): string { return this.core.url; }
  get codeloadUrl(): string { return this.core.codeloadUrl; }
  get appId(): number { return this.core.app.id; }
  get app(): AppIdentity { return this.core.app; }
  get webhookSecret(): string { return this.core.webhooks.secret; }
  get limits(): Limits { return this.core.limits; }
  get deliveries(): readonly DeliveryRecord[] { return this.core.webhooks.deliveries; }

  // --- authentication and time ---
  appJwt(): string { return signAppJwt(this.privateKeyPem, this.core.app.id, Math.floor(this.core.clock.now() / 1000)); }
  installationToken(installationId: number): string { return this.core.tokens.mint(installationId, null).token; }
  expireTokens(): void { this.core.tokens.expireAll(); }
  setTokenTtl(ms: number): void { this.core.tokens.setTtl(ms); }
  advanceTime(ms: number): void { this.core.clock.advance(ms); }
  now(): number { return this.core.clock.now(); }

  // --- faults and limits ---
  inject(spec: FaultSpec): FaultHandle { return this.faults.add(spec); }
  clearFaults(): void { this.faults.clear(); }
  setRateLimit(who: number | "app", values: { limit?: number; remaining?: number; resetInMs?: number }): void {
    this.rateLimits.set(who === "app" ? "app" : `installation:${who}`, values);
  }
  rateLimitRemaining(who: number | "app"): number {
    return this.rateLimits.bucket(who === "app" ? "app" : `installation:${who}`).remaining;
  }
  clearRequests(): void { this.requests.length = 0; this.unexpectedRequests.length = 0; }

  // --- accounts and repositories ---
  user(login: string, opts: { type?: AccountType; id?: number } = {}) { return this.core.state.user(login, opts.type, opts.id); }
  createInstallation(opts: { account: { login: string; type: "Organization" | "User"; id?: number } }): { id: number } {
    return { id: repos.createInstallation(this.core, opts.account).id };
  }
  /** Marks the installation deleted and revokes its tokens (send the `installation.deleted` event yourself). */
  deleteInstallation(installationId: number): void {
    const inst = this.core.state.installations.get(installationId);
    if (inst) inst.deleted = true;
    this.core.tokens.revokeInstallation(installationId);
  }
  async createRepo(installationId: number | null, opts: { owner: string; name: string; defaultBranch?: string; private?: boolean }): Promise<{ id: number; fullName: string }> {
    const repo = await repos.createRepo(this.core, this.rootDir, installationId, opts);
    return { id: repo.id, fullName: fullName(repo) };
  }
  addRepoToInstallation(repo: string, installationId: number): void { this.repo(repo).installationId = installationId; }
  removeRepoFromInstallation(repo: string): void { this.repo(repo).installationId = null; }
  async forkRepo(repo: string, ownerLogin: string): Promise<string> { return fullName(await repos.forkRepo(this.core, this.repo(repo), ownerLogin)); }
  renameRepo(repo: string, newName: string): string { const r = this.repo(repo); return repos.moveRepo(this.core, r, r.owner.login, newName); }
  transferRepo(repo: string, newOwner: string, opts: { installationId?: number | null } = {}): string {
    const r = this.repo(repo);
    return repos.moveRepo(this.core, r, newOwner, r.name, opts.installationId);
  }
  repoId(repo: string): number { return this.repo(repo).id; }

  // --- git ---
  commit(repo: string, input: repos.CommitInput): Promise<string> { return repos.commitFiles(this.core, this.repo(repo), input); }
  branchTip(repo: string, branch: string): Promise<string | null> { return branchTip(this.repo(repo), branch); }
  createBranch(repo: string, branch: string, from: string): Promise<string> { return repos.createBranch(this.repo(repo), branch, from); }
  deleteBranch(repo: string, branch: string): Promise<string> { return repos.deleteBranch(this.repo(repo), branch); }

  // --- pull requests and merge queue ---
  async openPullRequest(repo: string, input: pulls.OpenPullInput): Promise<number> { return (await pulls.openPull(this.core, this.repo(repo), input)).number; }
  updatePullRequest(repo: string, n: number, update: Parameters<typeof pulls.updatePull>[3]): Promise<pulls.PullChanges> {
    const r = this.repo(repo);
    return pulls.updatePull(this.core, r, pulls.findPull(this.core, r, n), update);
  }
  mergePullRequest(repo: string, n: number, opts?: { method?: "merge" | "squash"; mergedBy?: string }): Promise<string> {
    const r = this.repo(repo);
    return pulls.mergePull(this.core, r, pulls.findPull(this.core, r, n), opts);
  }
  createMergeGroup(repo: string, n: number): Promise<pulls.MergeGroup> {
    const r = this.repo(repo);
    return pulls.createMergeGroup(this.core, r, pulls.findPull(this.core, r, n));
  }

  // --- what the app wrote ---
  checkRuns(repo: string, sha?: string): CheckRunSnapshot[] {
    const id = this.repo(repo).id;
    return [...this.core.state.checkRuns.values()].filter((r) => r.repoId === id && (!sha || r.headSha === sha)).map(snapshotCheckRun);
  }
  deploymentAnswers(repo: string): DeploymentAnswer[] {
    const id = this.repo(repo).id;
    return this.core.state.deploymentAnswers.filter((a) => a.repoId === id).map((a) => ({ ...a }));
  }
  issues(repo: string) { return structuredClone(this.core.state.issuesOf(this.repo(repo).id)); }

  // --- webhooks ---
  setWebhookTarget(url: string): void { this.core.webhooks.target = url; }
  deliver(event: string, payload: object, opts?: DeliverOptions): Promise<DeliverResult> { return this.core.webhooks.deliver(event, payload, opts); }
  /** Waits for redeliveries requested through the API (they run after the 202). */
  webhooksSettled(): Promise<void> { return this.core.webhooks.settled(); }

  async push(repo: string, input: PushInput): Promise<PushResult> {
    const r = this.repo(repo);
    const before = (await branchTip(r, input.branch)) ?? ZERO_SHA;
    const sha = await repos.commitFiles(this.core, r, input);
    const sender = input.sender ?? (input.author?.login ? { login: input.author.login } : undefined);
    const payload = await this.events.push(repo, { ref: input.branch, before, after: sha, sender, forced: input.force ? undefined : false });
    const delivery = await this.deliver("push", payload);
    if (!input.checkSuite) return { sha, before, delivery };
    const suite = await this.events.checkSuite(repo, "requested", { headSha: sha, sender });
    return { sha, before, delivery, checkSuiteDelivery: await this.deliver("check_suite", suite) };
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.closeAllConnections();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const r of this.core.state.repos.values()) r.store.close();
    await rm(this.rootDir, { recursive: true, force: true });
  }

  private repo(name: string): RepoRecord { return this.core.state.requireRepo(name); }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One generated key per process: RSA generation costs ~0.2 s and tests create many fakes. */
let sharedKey: Promise<string> | null = null;
const generatedKey = (): Promise<string> =>
  (sharedKey ??= promisify(generateKeyPair)("rsa", {
    modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs1", format: "pem" },
  }).then((k) => k.privateKey));

export async function createFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const privateKeyPem = opts.privateKeyPem ?? (await generatedKey());
  const rootDir = await mkdtemp(join(tmpdir(), "plumbline-fake-github-"));
  const clock = new Clock();
  const appId = opts.appId ?? 424242;
  const slug = opts.appSlug ?? "plumbline";
  const state = new FakeState();
  const app: AppIdentity = {
    id: appId, slug, name: slug,
    owner: { login: "plumbline-dev", id: 900001, type: "Organization" },
    bot: state.user(`${slug}[bot]`, "Bot", 41898282 + appId) as AppIdentity["bot"],
  };
  const api = createServer();
  const codeload = createServer();
  const core: Core = {
    url: await listen(api), codeloadUrl: await listen(codeload), app, state, clock,
    tokens: new InstallationTokens(clock, opts.tokenTtlMs ?? 3600_000),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    webhooks: new Webhooks(clock, opts.webhookSecret ?? "fake-webhook-secret", appId),
    links: new DownloadLinks(clock),
  };
  const rateLimits = new RateLimits(clock, opts.rateLimit);
  const faults = new Faults();
  const fake = new FakeGitHub(core, rateLimits, faults, rootDir, [api, codeload], privateKeyPem);
  const deps = { core, router: buildRouter(), faults, rateLimits, publicKey: publicKeyOf(privateKeyPem), requests: fake.requests, unexpected: fake.unexpectedRequests };
  api.on("request", createRequestHandler(deps));
  codeload.on("request", createCodeloadHandler(core, fake.requests));
  return fake;
}
