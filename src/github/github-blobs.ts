import { gitBlobSha } from "../core/git-blob-sha.js";
import { runPool } from "./bounded-pool.js";
import { describeRef, type GitHubRepoRef } from "./github-repo-ref.js";
import { describeFailure, GitHubReadError } from "./github-read-error.js";

/** Blob requests in flight: enough to hide latency, far from GitHub's secondary limits. */
const BLOB_CONCURRENCY = 8;

/**
 * Fetches blobs (sha → a path that names it, for messages) through `git/blobs`, which serves
 * up to 100 MB where the contents API stops at 1 MB. Every answer is checked against its SHA.
 * Any failure after the client's own retries throws GitHubReadError: the caller is a gate and
 * must not judge a partially read tree.
 */
export async function fetchBlobs(ref: GitHubRepoRef, wanted: ReadonlyMap<string, string>): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  await runPool([...wanted.keys()], BLOB_CONCURRENCY, async (sha) => {
    out.set(sha, await fetchBlob(ref, sha, wanted.get(sha)!));
  });
  return out;
}

async function fetchBlob(ref: GitHubRepoRef, sha: string, path: string): Promise<Uint8Array> {
  ref.count();
  let data: { content?: unknown; encoding?: unknown };
  try {
    data = (await ref.client.rest.git.getBlob({ owner: ref.owner, repo: ref.repo, file_sha: sha })).data;
  } catch (err) {
    const { status, reason } = describeFailure(err);
    throw new GitHubReadError(`reading ${path} (blob ${sha}) of ${describeRef(ref)} failed: ${reason}`, status);
  }
  if (typeof data.content !== "string" || (data.encoding !== "base64" && data.encoding !== "utf-8")) {
    throw new GitHubReadError(`GitHub answered a malformed blob for ${path} (blob ${sha}) of ${describeRef(ref)}`);
  }
  const bytes = Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
  if (gitBlobSha(bytes) !== sha) throw new GitHubReadError(`GitHub answered different content for ${path} (blob ${sha}) of ${describeRef(ref)}`);
  return bytes;
}
