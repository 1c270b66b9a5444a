import type { GitStore } from "./git-store.js";

export type AccountType = "User" | "Organization" | "Bot";

export interface UserRecord {
  login: string;
  id: number;
  type: AccountType;
}

export interface InstallationRecord {
  id: number;
  account: UserRecord;
  repositorySelection: "all" | "selected";
  permissions: Record<string, string>;
  events: string[];
  createdAt: number;
  deleted: boolean;
}

export interface RepoRecord {
  id: number;
  owner: UserRecord;
  name: string;
  defaultBranch: string;
  private: boolean;
  /** Null for forks and repositories the app is not installed on. */
  installationId: number | null;
  store: GitStore;
  /** Forks share the parent's object store, with their branches in their own namespace. */
  refPrefix: string;
  parentId: number | null;
  createdAt: number;
  pushedAt: number;
  /** Drives pinned commit dates, so the same sequence of commits gives the same SHAs. */
  commitCount: number;
  nextNumber: number;
}

export interface PullRecord {
  id: number;
  number: number;
  repoId: number;
  headRepoId: number;
  headRef: string;
  baseRef: string;
  /** Last known head SHA: GitHub keeps showing it after the head branch is deleted. */
  lastHeadSha: string;
  /** Base tip when the PR was merged or closed, so its commits and files stay listable. */
  frozenBaseSha: string | null;
  title: string;
  body: string | null;
  user: UserRecord;
  state: "open" | "closed";
  draft: boolean;
  merged: boolean;
  mergedAt: number | null;
  mergedBy: UserRecord | null;
  mergeCommitSha: string | null;
  closedAt: number | null;
  createdAt: number;
  updatedAt: number;
  labels: string[];
  /** Conversation comments, written through the issues API as on GitHub. */
  comments: CommentRecord[];
}

export interface IssueRecord {
  id: number;
  number: number;
  repoId: number;
  title: string;
  body: string | null;
  user: UserRecord;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  comments: CommentRecord[];
}

export interface CommentRecord {
  id: number;
  body: string;
  user: UserRecord;
  createdAt: number;
  updatedAt: number;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

export interface CheckRunHistoryEntry {
  op: "create" | "update";
  at: number;
  /** The request body exactly as the app sent it. */
  body: Record<string, unknown>;
}

export interface CheckRunRecord {
  id: number;
  repoId: number;
  suiteId: number;
  headSha: string;
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  startedAt: number;
  completedAt: number | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: Annotation[];
  actions: CheckAction[];
  history: CheckRunHistoryEntry[];
}

export interface CheckSuiteRecord {
  id: number;
  repoId: number;
  headSha: string;
  headBranch: string | null;
  createdAt: number;
}

export interface DeploymentRunRecord {
  runId: number;
  repoId: number;
  deploymentId: number;
  environment: string;
  sha: string;
  ref: string;
}

export interface DeploymentAnswer {
  repoId: number;
  runId: number;
  environment: string;
  state: "approved" | "rejected";
  comment: string;
  at: number;
}

/** Everything the fake remembers besides git objects. Ids mimic GitHub's: large and unique. */
export class FakeState {
  private seq = 1000;
  readonly users = new Map<string, UserRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly repos = new Map<number, RepoRecord>();
  /** Lower-case `owner/name` → id; old names after a rename or transfer → id (GitHub redirects). */
  readonly repoNames = new Map<string, number>();
  readonly movedRepoNames = new Map<string, number>();
  readonly pulls = new Map<number, PullRecord[]>();
  readonly issues = new Map<number, IssueRecord[]>();
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly checkSuites = new Map<number, CheckSuiteRecord>();
  /** Keyed by `runId/environment`: one workflow run can wait on several environments. */
  readonly deploymentRuns = new Map<string, DeploymentRunRecord>();
  readonly deploymentAnswers: DeploymentAnswer[] = [];
  /** Commit email → GitHub user, so commit endpoints can name `author.login`. */
  readonly emailLogins = new Map<string, string>();

  nextId(): number {
    return ++this.seq;
  }

  user(login: string, type: AccountType = "User", id?: number): UserRecord {
    const key = login.toLowerCase();
    const known = this.users.get(key);
    if (known) return known;
    const created = { login, id: id ?? this.nextId(), type };
    this.users.set(key, created);
    return created;
  }

  repoByName(fullName: string): RepoRecord | undefined {
    const id = this.repoNames.get(fullName.toLowerCase());
    return id === undefined ? undefined : this.repos.get(id);
  }

  requireRepo(fullName: string): RepoRecord {
    const repo = this.repoByName(fullName);
    if (!repo) throw new Error(`fake-github: unknown repository ${fullName}`);
    return repo;
  }

  pullsOf(repoId: number): PullRecord[] {
    let list = this.pulls.get(repoId);
    if (!list) this.pulls.set(repoId, (list = []));
    return list;
  }

  issuesOf(repoId: number): IssueRecord[] {
    let list = this.issues.get(repoId);
    if (!list) this.issues.set(repoId, (list = []));
    return list;
  }

  reposOfInstallation(installationId: number): RepoRecord[] {
    return [...this.repos.values()].filter((r) => r.installationId === installationId);
  }
}

export const fullName = (r: RepoRecord): string => `${r.owner.login}/${r.name}`;
