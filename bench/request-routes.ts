/**
 * A GitHub request's route with its owner, repository, ids, SHAs and ref names taken out
 * (`GET /repos/:o/:r/git/matching-refs/:ref`), so requests to many repositories group into
 * what the app asked for, and a count per route says where "other" requests went.
 */

export function requestRoute(r: { readonly method: string; readonly path: string }): string {
  const path = r.path
    .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/:o/:r")
    .replace(/\/git\/(matching-refs|ref|refs)\/.*$/, "/git/$1/:ref")
    .replace(/\/(tarball|legacy\.tar\.gz)\/.*$/, "/$1/:ref")
    .replace(/\b[0-9a-f]{40}\b/g, ":sha")
    .replace(/\/\d+(?=\/|$)/g, "/:id");
  return `${r.method} ${path}`;
}

/** Requests per route, most frequent first. */
export function countRoutes(requests: readonly { readonly method: string; readonly path: string }[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const route = requestRoute(r);
    counts.set(route, (counts.get(route) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
