import type { FileSource, TreeEntry } from "../snapshot/file-source.js";
import type { BlobCache } from "../store/blob-cache.js";
import type { RepoScope } from "../store/redis-keys.js";
import { fetchBlobs } from "./github-blobs.js";
import type { GitHubClient } from "./github-client.js";
import { GitHubReadError } from "./github-read-error.js";
import type { GitHubRepoRef } from "./github-repo-ref.js";
import { readTarball, TarballError } from "./github-tarball.js";
import { listGitHubTree, type GitHubTreeCache } from "./github-tree.js";
import { SnapshotLimitError } from "../snapshot/build-snapshot.js";

export { GitHubReadError } from "./github-read-error.js";

export interface GitHubFileSourceOptions {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly scope: RepoScope;
  readonly blobCache?: BlobCache;
  /**
   * Listings kept from earlier revisions of this repository (a worker's memo): by commit SHA the
   * whole listing, by tree SHA each directory. Both are named by their content, so they change
   * how many requests a listing costs, never what it lists.
   */
  readonly trees?: { readonly directories: GitHubTreeCache; readonly commits: CommitListingCache };
  /** `auto`: one tarball when more than TARBALL_MIN_MISSES blobs are missing from the cache. */
  readonly tarball?: "auto" | "never" | "always";
  readonly limits?: {
    /** Tree entries (files, symlinks, submodules); more fails closed. Default 200k. */
    readonly maxEntries?: number;
    /** Larger files are never fetched and map to an Error (the snapshot marks them unreadable). Default 1 MiB. */
    readonly maxBlobBytes?: number;
    /** Tarball download and unpacked size; a bigger tree is read via the blobs API. Default 1 GiB. */
    readonly maxTarballBytes?: number;
  };
}

export interface GitHubFileSourceStats {
  /** HTTP requests issued (API and archive download), not counting the client's own retries. */
  requests: number;
  /** Distinct blobs obtained from GitHub, via the tarball or the blobs API. */
  blobsFetched: number;
  /** Of those, how many came out of the tarball. */
  blobsFromTarball: number;
  /** Distinct blobs served by the blob cache. */
  blobsCached: number;
  /** A tarball was downloaded and used. */
  tarball: boolean;
  /** Blob-cache reads or writes that failed (the cache only accelerates; reads go on without it). */
  cacheErrors: number;
}

export type GitHubFileSource = FileSource & { stats(): GitHubFileSourceStats };

/** Complete listings by commit SHA; entries are frozen, since every revision that hits shares them. */
export interface CommitListingCache {
  get(commitSha: string): readonly TreeEntry[] | undefined;
  set(commitSha: string, entries: readonly TreeEntry[]): void;
}

/** Below this many missing blobs, per-blob requests are cheaper than streaming the whole archive. */
export const TARBALL_MIN_MISSES = 50;
/**
 * When a tarball download fails twice (network, 5xx), at most this many blobs are fetched one
 * by one instead; beyond it the read fails closed (and the job retries later) rather than
 * spend a large share of the installation's 5,000 requests per hour on one cold revision. An
 * archive over the caps is not transient, so then the blobs API is the only way and is used.
 */
export const TARBALL_FALLBACK_MAX_BLOBS = 500;

const DEFAULTS = { maxEntries: 200_000, maxBlobBytes: 1024 * 1024, maxTarballBytes: 1024 * 1024 * 1024 };

/**
 * One commit of a GitHub repository as a FileSource: the tree via the trees API, contents from
 * the tenant's blob cache first, then one tarball (cold repository) or the blobs API (a few
 * changed files). Unlike the FileSource contract's per-path Errors, a failed GitHub read
 * throws GitHubReadError: a gate must not judge a tree it could only partly read.
 */
export function githubFileSource(opts: GitHubFileSourceOptions): GitHubFileSource {
  const limits = { ...DEFAULTS, ...opts.limits };
  const mode = opts.tarball ?? "auto";
  const stats: GitHubFileSourceStats = { requests: 0, blobsFetched: 0, blobsFromTarball: 0, blobsCached: 0, tarball: false, cacheErrors: 0 };
  const ref: GitHubRepoRef = { client: opts.client, owner: opts.owner, repo: opts.repo, sha: opts.sha, count: () => void stats.requests++ };
  let listing: Promise<TreeEntry[]> | null = null;
  const list = (): Promise<TreeEntry[]> => {
    // A failed listing is not memoized: a later call may succeed.
    listing ??= listOnce().catch((err: unknown) => {
      listing = null;
      throw err;
    });
    return listing;
  };

  async function listOnce(): Promise<TreeEntry[]> {
    const kept = opts.trees?.commits.get(opts.sha);
    if (kept) {
      if (kept.length > limits.maxEntries) throw new SnapshotLimitError(`${opts.owner}/${opts.repo}@${opts.sha} has more than ${limits.maxEntries} tree entries (limits.maxEntries); Plumbline fails closed rather than judge part of a tree`);
      return kept as TreeEntry[];
    }
    const entries = Object.freeze(await listGitHubTree(ref, limits.maxEntries, opts.trees?.directories)) as TreeEntry[];
    opts.trees?.commits.set(opts.sha, entries);
    return entries;
  }

  async function fromCache(shas: readonly string[]): Promise<Map<string, Uint8Array>> {
    if (!opts.blobCache || shas.length === 0) return new Map();
    try {
      return await opts.blobCache.getMany(opts.scope, shas);
    } catch {
      stats.cacheErrors++;
      return new Map();
    }
  }

  /** Misses: blob SHA → a path naming it. Totals: the tree's size, to skip a tarball that cannot fit. */
  async function fromGitHub(misses: Map<string, string>, treeBytes: number): Promise<Map<string, Uint8Array>> {
    const got = new Map<string, Uint8Array>();
    const wantsTarball = mode === "always" ? misses.size > 0 : mode === "auto" && misses.size > TARBALL_MIN_MISSES;
    if (wantsTarball && treeBytes <= limits.maxTarballBytes) {
      const wanted = new Map([...misses].map(([sha, path]) => [path, sha]));
      const tarLimits = { maxBytes: limits.maxTarballBytes, maxEntries: limits.maxEntries * 2, maxEntryBytes: limits.maxBlobBytes };
      let lastError: TarballError | null = null;
      // A codeload link lives five minutes and is not retried by the client: ask for a fresh one once.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          for (const [sha, data] of await readTarball(ref, wanted, tarLimits)) got.set(sha, data);
          stats.tarball = true;
          stats.blobsFromTarball += got.size;
          lastError = null;
          break;
        } catch (err) {
          if (!(err instanceof TarballError)) throw err;
          lastError = err;
          if (!err.retryable) break;
        }
      }
      if (lastError?.retryable && misses.size > TARBALL_FALLBACK_MAX_BLOBS) {
        throw new GitHubReadError(`${lastError.message}; ${misses.size} files would need one request each, so the read fails closed instead`);
      }
    }
    // Files the archive did not supply verbatim (export-ignore, export-subst, eol attributes).
    const rest = new Map([...misses].filter(([sha]) => !got.has(sha)));
    for (const [sha, data] of await fetchBlobs(ref, rest)) got.set(sha, data);
    stats.blobsFetched += got.size;
    return got;
  }

  return {
    label: `${opts.owner}/${opts.repo}@${opts.sha.slice(0, 12)}`,
    listFiles: list,
    stats: () => ({ ...stats }),
    async readFiles(paths) {
      const byPath = new Map((await list()).map((e) => [e.path, e]));
      const out = new Map<string, Uint8Array | Error>();
      const wanted = new Map<string, string>(); // path → blob SHA
      let treeBytes = 0;
      for (const e of byPath.values()) treeBytes += e.size;
      for (const path of paths) {
        const e = byPath.get(path);
        if (!e || e.type !== "file" || !e.blobSha) out.set(path, new Error(`${path} is not a file in ${opts.owner}/${opts.repo}@${opts.sha}`));
        else if (e.size > limits.maxBlobBytes) out.set(path, new Error(`${path} is ${e.size} bytes; files over ${limits.maxBlobBytes} bytes are not read`));
        else wanted.set(path, e.blobSha);
      }
      const shas = [...new Set(wanted.values())];
      const blobs = await fromCache(shas);
      stats.blobsCached += blobs.size;
      const misses = new Map<string, string>();
      for (const [path, sha] of wanted) if (!blobs.has(sha) && !misses.has(sha)) misses.set(sha, path);
      if (misses.size > 0) {
        const fetched = await fromGitHub(misses, treeBytes);
        for (const [sha, data] of fetched) blobs.set(sha, data);
        if (opts.blobCache) await opts.blobCache.setMany(opts.scope, fetched).catch(() => void stats.cacheErrors++);
      }
      for (const [path, sha] of wanted) out.set(path, blobs.get(sha)!);
      return out;
    },
  };
}
