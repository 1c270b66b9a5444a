import type { CheckMemo, LoadedPolicy } from "../check/check-memo.js";
import { createWeightedLru, memoized } from "../check/weighted-lru.js";
import type { Evaluation } from "../core/evaluate.js";
import type { RepoSnapshot } from "../core/snapshot.js";
import type { CommitListingCache } from "../github/github-file-source.js";
import type { GitHubTreeCache, RawEntry } from "../github/github-tree.js";
import type { TreeEntry } from "../snapshot/file-source.js";
import type { ModuleRecord } from "../snapshot/module-record.js";
import type { RecordCache } from "../snapshot/record-cache.js";
import type { RepoScope } from "../store/redis-keys.js";

/**
 * What one worker process keeps from job to job: a push's head listing and snapshot are the
 * next push's base, and most of its records and directories are unchanged. Every entry is a
 * pure function of content (a commit's or tree's SHA, a snapshot's entries and reads, a blob's
 * record), so a hit gives exactly what recomputing gives and a verdict never depends on the
 * memo. Every key also starts with the installation and repository ids: nothing is shared
 * between tenants, even content that happens to be identical.
 *
 * Bounds (the sum over all repositories of the process; least recently used goes first),
 * with what they measured on the 10k-file synthetic repository: snapshots 40,000 files in all
 * (~35 MB per 10k-file snapshot with texts and import graph; a head shares its unchanged texts
 * with its base, so a pair is ~45 MB), listings by commit 100,000 entries (~3 MB per 10k),
 * directories by tree SHA 200,000 entries (~5 MB), import records 25,000 (~3 KB each, ~80 MB),
 * compiled policies 64, base evaluations 20,000 findings in all. About 250 MB at most; one
 * busy 10k-file repository holds ~80 MB.
 */
export interface WorkerMemo {
  forRepo(scope: RepoScope): RepoMemo;
}

export interface RepoMemo {
  readonly check: CheckMemo;
  readonly trees: { readonly directories: GitHubTreeCache; readonly commits: CommitListingCache };
  readonly records: RecordCache;
}

export const WORKER_MEMO_BOUNDS: Readonly<Record<"snapshotFiles" | "listingEntries" | "directoryEntries" | "records" | "policies" | "findings", number>> = { snapshotFiles: 40_000, listingEntries: 100_000, directoryEntries: 200_000, records: 25_000, policies: 64, findings: 20_000 };

export function createWorkerMemo(bounds: Partial<typeof WORKER_MEMO_BOUNDS> = {}): WorkerMemo {
  const b = { ...WORKER_MEMO_BOUNDS, ...bounds };
  const snapshots = createWeightedLru<Promise<RepoSnapshot>>(b.snapshotFiles);
  const policies = createWeightedLru<Promise<LoadedPolicy>>(b.policies);
  const commits = createWeightedLru<readonly TreeEntry[]>(b.listingEntries);
  const directories = createWeightedLru<readonly RawEntry[]>(b.directoryEntries);
  const records = createWeightedLru<ModuleRecord>(b.records);
  const evaluations = createWeightedLru<Evaluation>(b.findings);
  /** Repositories whose directories were cached: a cold one is listed in one recursive request. */
  const warmRepos = createWeightedLru<true>(4096);
  return {
    forRepo(scope) {
      const tenant = `i${scope.installationId}:r${scope.repoId}:`;
      return {
        check: {
          policy: (key, compute) => memoized(policies, tenant + key, compute, () => 1),
          snapshot: (key, compute) => memoized(snapshots, tenant + key, compute, (s) => s.files.length + 1),
          evaluation(key, compute) {
            const hit = evaluations.get(tenant + key);
            if (hit) return hit;
            const fresh = compute();
            evaluations.set(tenant + key, fresh, fresh.findings.length + 1);
            return fresh;
          },
        },
        trees: {
          directories: {
            get: (sha) => directories.get(tenant + sha),
            set(sha, entries) {
              directories.set(tenant + sha, entries, entries.length + 1);
              warmRepos.set(tenant, true, 1);
            },
            get warm() {
              return warmRepos.get(tenant) !== undefined;
            },
          },
          commits: {
            get: (sha) => commits.get(tenant + sha),
            set: (sha, entries) => commits.set(tenant + sha, entries, entries.length + 1),
          },
        },
        records: {
          get: (key) => records.get(tenant + key),
          set: (key, record) => records.set(tenant + key, record, 1),
        },
      };
    },
  };
}
