/**
 * GitHub requests grouped by what they cost: the snapshot (trees, blobs, tarball), the check
 * run itself, and everything else (token, repository, refs, compare). The codeload host's
 * tarball download lands in the same list as the API's redirect to it, so a cold snapshot
 * shows as 2 tarball requests.
 */

export const REQUEST_KINDS = ["trees", "blobs", "tarball", "checks", "other"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type KindCounts = Record<RequestKind | "total", number>;

export function requestKind(path: string): RequestKind {
  if (path.includes("/git/trees/")) return "trees";
  if (path.includes("/git/blobs/")) return "blobs";
  if (/\/tarball(\/|$)/.test(path) || path.includes("/legacy.tar.gz/")) return "tarball";
  if (path.includes("/check-runs") || path.includes("/check-suites")) return "checks";
  return "other";
}

export function countKinds(requests: readonly { readonly path: string }[]): KindCounts {
  const counts: KindCounts = { trees: 0, blobs: 0, tarball: 0, checks: 0, other: 0, total: 0 };
  for (const r of requests) {
    counts[requestKind(r.path)]++;
    counts.total++;
  }
  return counts;
}
