import { join } from "node:path";
import type { Core } from "./core.js";
import { GitStore } from "./git-store.js";
import { branchRef, branchTip, isSafeRefName, listBranches, resolveCommitish } from "./repo-refs.js";
import { fullName, type AccountType, type InstallationRecord, type RepoRecord } from "./state.js";
import { writeCommit, type FileSpec } from "./write-commit.js";

export interface CommitAuthor {
  name: string;
  email: string;
  /** Maps the email to this GitHub login, so commit endpoints name `author.login`. */
  login?: string;
}

export interface CommitInput {
  branch: string;
  files: Readonly<Record<string, FileSpec>>;
  message: string;
  author?: CommitAuthor;
  committer?: CommitAuthor;
  /** Default: the branch tip (or, for a new branch, the default branch's tip). */
  parents?: readonly string[];
  /** Allow moving the branch to a commit that does not descend from its tip. */
  force?: boolean;
}

/** 2024-01-01T00:00:00Z: commit dates are pinned and advance a minute per commit. */
const EPOCH_SECONDS = 1_704_067_200;
const DEFAULT_AUTHOR: CommitAuthor = { name: "Fake Author", email: "author@example.com" };

export const DEFAULT_PERMISSIONS = {
  checks: "write", contents: "read", metadata: "read", pull_requests: "read", issues: "write", deployments: "read", actions: "read",
};
export const DEFAULT_EVENTS = ["check_run", "check_suite", "deployment_protection_rule", "installation_target", "merge_group", "pull_request", "push"];

export function createInstallation(core: Core, account: { login: string; type: "Organization" | "User"; id?: number }): InstallationRecord {
  const inst: InstallationRecord = {
    id: core.state.nextId(), account: core.state.user(account.login, account.type, account.id), repositorySelection: "selected",
    permissions: { ...DEFAULT_PERMISSIONS }, events: [...DEFAULT_EVENTS], createdAt: core.clock.now(), deleted: false,
  };
  core.state.installations.set(inst.id, inst);
  return inst;
}

export async function createRepo(
  core: Core, rootDir: string, installationId: number | null,
  opts: { owner: string; name: string; defaultBranch?: string; private?: boolean; ownerType?: AccountType },
): Promise<RepoRecord> {
  const inst = installationId === null ? undefined : core.state.installations.get(installationId);
  if (installationId !== null && !inst) throw new Error(`fake-github: unknown installation ${installationId}`);
  if (inst && inst.account.login.toLowerCase() !== opts.owner.toLowerCase()) {
    throw new Error(`fake-github: installation ${inst.id} belongs to ${inst.account.login}, not ${opts.owner}`);
  }
  if (core.state.repoByName(`${opts.owner}/${opts.name}`)) throw new Error(`fake-github: ${opts.owner}/${opts.name} exists`);
  const id = core.state.nextId();
  const defaultBranch = opts.defaultBranch ?? "main";
  const repo: RepoRecord = {
    id, owner: inst?.account ?? core.state.user(opts.owner, opts.ownerType ?? "Organization"), name: opts.name, defaultBranch,
    private: opts.private ?? false, installationId, store: await GitStore.init(join(rootDir, `repo-${id}.git`), defaultBranch),
    refPrefix: "refs/heads/", parentId: null, createdAt: core.clock.now(), pushedAt: core.clock.now(), commitCount: 0, nextNumber: 1,
  };
  core.state.repos.set(id, repo);
  core.state.repoNames.set(fullName(repo).toLowerCase(), id);
  return repo;
}

/** A fork shares its parent's object store (GitHub's fork network) with its own branch namespace. */
export async function forkRepo(core: Core, parent: RepoRecord, ownerLogin: string): Promise<RepoRecord> {
  const existing = core.state.repoByName(`${ownerLogin}/${parent.name}`);
  if (existing) return existing;
  const id = core.state.nextId();
  const fork: RepoRecord = {
    ...parent, id, owner: core.state.user(ownerLogin), installationId: null, refPrefix: `refs/forks/${id}/heads/`,
    parentId: parent.id, createdAt: core.clock.now(), pushedAt: core.clock.now(), commitCount: 0, nextNumber: 1, private: parent.private,
  };
  for (const b of await listBranches(parent)) await fork.store.updateRef(branchRef(fork, b.name), b.sha, null);
  core.state.repos.set(id, fork);
  core.state.repoNames.set(fullName(fork).toLowerCase(), id);
  return fork;
}

export async function commitFiles(core: Core, repo: RepoRecord, input: CommitInput): Promise<string> {
  if (!isSafeRefName(input.branch)) throw new Error(`fake-github: bad branch name ${input.branch}`);
  const tip = await branchTip(repo, input.branch);
  let parents: readonly string[] = input.parents ?? (tip ? [tip] : []);
  if (!input.parents && !tip) {
    const start = await branchTip(repo, repo.defaultBranch);
    if (start) parents = [start];
  }
  const author = input.author ?? DEFAULT_AUTHOR;
  const committer = input.committer ?? author;
  for (const who of [author, committer]) {
    if (who.login) {
      core.state.user(who.login, who.login.endsWith("[bot]") ? "Bot" : "User");
      core.state.emailLogins.set(who.email.toLowerCase(), who.login);
    }
  }
  repo.commitCount += 1;
  const sha = await writeCommit(repo.store, {
    parents, files: input.files, message: input.message, author, committer, seconds: EPOCH_SECONDS + repo.commitCount * 60,
  });
  if (tip && !input.force && !(await repo.store.isAncestor(tip, sha))) {
    throw new Error(`fake-github: ${input.branch} would not fast-forward from ${tip} to ${sha}; pass force: true`);
  }
  await repo.store.updateRef(branchRef(repo, input.branch), sha, tip);
  repo.pushedAt = core.clock.now();
  return sha;
}

export async function createBranch(repo: RepoRecord, branch: string, from: string): Promise<string> {
  if (!isSafeRefName(branch)) throw new Error(`fake-github: bad branch name ${branch}`);
  const sha = await resolveCommitish(repo, from);
  if (!sha) throw new Error(`fake-github: unknown ref ${from} in ${fullName(repo)}`);
  await repo.store.updateRef(branchRef(repo, branch), sha, null);
  return sha;
}

export async function deleteBranch(repo: RepoRecord, branch: string): Promise<string> {
  const tip = await branchTip(repo, branch);
  if (!tip) throw new Error(`fake-github: no branch ${branch} in ${fullName(repo)}`);
  await repo.store.deleteRef(branchRef(repo, branch));
  return tip;
}

/** Renames keep the id; the old name answers with a redirect to `/repositories/:id`, as GitHub does. */
export function moveRepo(core: Core, repo: RepoRecord, owner: string, name: string, installationId?: number | null): string {
  const oldName = fullName(repo).toLowerCase();
  if (core.state.repoByName(`${owner}/${name}`)) throw new Error(`fake-github: ${owner}/${name} exists`);
  core.state.repoNames.delete(oldName);
  core.state.movedRepoNames.set(oldName, repo.id);
  if (owner.toLowerCase() !== repo.owner.login.toLowerCase()) repo.owner = core.state.user(owner, "Organization");
  repo.name = name;
  if (installationId !== undefined) repo.installationId = installationId;
  core.state.repoNames.set(fullName(repo).toLowerCase(), repo.id);
  core.state.movedRepoNames.delete(fullName(repo).toLowerCase());
  return fullName(repo);
}
