import { ApiError } from "./api-error.js";
import type { RepoRecord } from "./state.js";

/**
 * Ref names reach git as arguments; anything outside git's safe subset (or starting with
 * `-`, which git would read as an option) is treated as unknown rather than passed on.
 */
export function isSafeRefName(name: string): boolean {
  return /^[A-Za-z0-9._/@+-]+$/.test(name) && !name.startsWith("-") && !name.includes("..") && !name.endsWith(".lock") && !name.includes("@{");
}

export const branchRef = (repo: RepoRecord, branch: string): string => `${repo.refPrefix}${branch}`;

export async function branchTip(repo: RepoRecord, branch: string): Promise<string | null> {
  if (!isSafeRefName(branch)) return null;
  return repo.store.refSha(branchRef(repo, branch));
}

export async function listBranches(repo: RepoRecord, prefix = ""): Promise<{ name: string; sha: string }[]> {
  const refs = await repo.store.listRefs(repo.refPrefix.replace(/\/$/, ""));
  return refs
    .map((r) => ({ name: r.ref.slice(repo.refPrefix.length), sha: r.sha }))
    .filter((b) => b.name.startsWith(prefix));
}

/** GitHub accepts a SHA (full or short), a branch, a tag, or `refs/heads/…` wherever it says "ref". */
export async function resolveCommitish(repo: RepoRecord, ref: string): Promise<string | null> {
  if (/^[0-9a-f]{40}$/.test(ref)) return repo.store.commitSha(ref);
  if (!isSafeRefName(ref)) return null;
  const stripped = ref.replace(/^refs\/heads\//, "").replace(/^heads\//, "");
  if (ref.startsWith("refs/tags/") || ref.startsWith("tags/")) return repo.store.refSha(`refs/${ref.replace(/^refs\//, "")}`);
  const branch = await branchTip(repo, stripped);
  if (branch) return branch;
  const tag = await repo.store.refSha(`refs/tags/${ref}`);
  if (tag) return tag;
  if (/^[0-9a-f]{7,39}$/.test(ref)) return repo.store.commitSha(ref);
  return null;
}

/** GitHub answers 409 "Git Repository is empty." before any other miss on a repo without commits. */
export async function refMissing(repo: RepoRecord, otherwise: ApiError): Promise<ApiError> {
  return (await listBranches(repo)).length === 0 ? new ApiError(409, "Git Repository is empty.") : otherwise;
}
