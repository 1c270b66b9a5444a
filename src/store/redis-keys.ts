/**
 * The Redis key layout, in one place. Everything repository-scoped is keyed by the numeric
 * installation and repository ids (never names: a renamed or transferred repository keeps its
 * data, and two tenants can never share a key). Tests pass a fresh prefix each.
 */
export interface RepoScope {
  readonly installationId: number;
  readonly repoId: number;
}

export function redisKeys(prefix = "pl") {
  const repo = (s: RepoScope) => `${prefix}:i${s.installationId}:r${s.repoId}`;
  return {
    prefix,
    /** Every key of one repository starts with this (uninstall deletes by scanning it). */
    repo,
    /** Cached blob text by git blob id (per tenant: a blob id is public knowledge, content is not). */
    blob: (s: RepoScope, sha: string) => `${repo(s)}:blob:${sha}`,
    /** Cached per-file import records by blob id + extractor version. */
    record: (s: RepoScope, key: string) => `${repo(s)}:rec:${key}`,
    /** Newest SHA seen per branch: a stale job never overwrites a newer verdict. */
    branchHead: (s: RepoScope, branch: string) => `${repo(s)}:head:${branch}`,
    /** SHAs accepted for a branch and not yet concluded (superseded ones are concluded as such). */
    pendingShas: (s: RepoScope, branch: string) => `${repo(s)}:pending:${branch}`,
    /** The job each pending SHA arrived with (first delivery wins), so a superseded job can hand over to its successor. */
    pendingJobs: (s: RepoScope, branch: string) => `${repo(s)}:pending-jobs:${branch}`,
    /** SHAs with a run not yet concluded, scored by deadline (the reconciler's work list). */
    inflight: () => `${prefix}:inflight`,
    /** Held by the one reconcile pass running at a time (reconciler.ts). */
    reconcileLock: () => `${prefix}:reconcile-lock`,
    /** Webhook delivery ids already accepted (kept ≥ 7 days). */
    delivery: (id: string) => `${prefix}:delivery:${id}`,
    /** Held while one writer finds-or-creates a SHA's check run of this name (run-write-lock.ts). */
    runLock: (s: RepoScope, sha: string, name: string) => `${repo(s)}:run:${name}:${sha}`,
    /** The provenance ledger (a Stream, never trimmed), its head `{seq, hash, id}` and a head-SHA → stream ids index. */
    ledger: (s: RepoScope) => `${repo(s)}:ledger`,
    ledgerHead: (s: RepoScope) => `${repo(s)}:ledger:head`,
    ledgerBySha: (s: RepoScope) => `${repo(s)}:ledger:sha`,
    /** `id:<repoId>` / `name:<owner/name>` → `<installationId>:<repoId>`, so the CLI finds a ledger by name. */
    ledgerRepos: () => `${prefix}:ledger:repos`,
    /** Decay history: a list of JSON evaluation records, oldest first, trimmed to settings.historyLimit. */
    history: (s: RepoScope) => `${repo(s)}:history`,
    /** Number of the repository's dashboard issue, and the lock that keeps two workers from creating one each. */
    dashboardIssue: (s: RepoScope) => `${repo(s)}:dashboard:issue`,
    dashboardLock: (s: RepoScope) => `${repo(s)}:dashboard:lock`,
    /**
     * Hash: `name:<owner/name>` (lowercased) and `id:<repoId>` → `<installationId>:<repoId>`, so the
     * CLI finds a repository by name or bare id (see store/repo-names.ts). Same fields as ledgerRepos.
     */
    repoNames: () => `${prefix}:repo-names`,
    /** Check jobs an installation enqueued in one time window (a counter that expires): its jobs' queue priority. */
    enqueued: (installationId: number, window: number) => `${prefix}:i${installationId}:enqueued:${window}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
