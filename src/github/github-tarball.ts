import { once } from "node:events";
import { Parser, type ReadEntry } from "tar";
import { gitBlobSha } from "../core/git-blob-sha.js";
import { describeRef, type GitHubRepoRef } from "./github-repo-ref.js";
import { describeFailure } from "./github-read-error.js";
import { tarEntryPath, tarRootOf } from "./tar-entry-filter.js";

/** The whole download, body included: a stalled archive host must not hold a job forever. */
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

export interface TarballLimits {
  /** Bytes downloaded and, separately, bytes the archive unpacks to. */
  readonly maxBytes: number;
  /** Archive entries, directories included. */
  readonly maxEntries: number;
  /** Larger entries are skipped unread (the caller never wants them). */
  readonly maxEntryBytes: number;
}

/** The archive could not be used; the caller decides between the blobs API and failing closed. */
export class TarballError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = "TarballError";
  }
}

/**
 * Reads the wanted files (path → blob SHA) from one tarball of the commit: a cold repository
 * costs one API request instead of one per file. Returns contents by blob SHA, only for files
 * whose bytes hash to the SHA the tree lists; anything missing or different (export-ignore and
 * export-subst change archives) is left to the blobs API.
 */
export async function readTarball(ref: GitHubRepoRef, wanted: ReadonlyMap<string, string>, limits: TarballLimits): Promise<Map<string, Uint8Array>> {
  const location = await tarballLocation(ref);
  const abort = new AbortController();
  ref.count();
  let res: Response;
  try {
    // The signed codeload link is the credential: no Authorization header goes to that host,
    // and the link itself is never logged (it is valid for five minutes).
    res = await fetch(location, { signal: AbortSignal.any([abort.signal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]) });
  } catch (err) {
    throw new TarballError(`downloading the tarball of ${describeRef(ref)} failed: ${describeFailure(err).reason}`, true);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new TarballError(`downloading the tarball of ${describeRef(ref)} failed: ${res.status}`, res.status >= 500 || res.status === 404 || res.status === 429);
  }
  let files: Map<string, Buffer>;
  try {
    files = await unpackTarball(res.body, new Set(wanted.keys()), limits);
  } catch (err) {
    abort.abort();
    if (err instanceof TarballError) throw err;
    throw new TarballError(`reading the tarball of ${describeRef(ref)} failed: ${describeFailure(err).reason}`, true);
  }
  const bySha = new Map<string, Uint8Array>();
  for (const [path, data] of files) {
    const sha = wanted.get(path)!;
    const verified = asCommitted(data, sha);
    if (verified) bySha.set(sha, verified);
  }
  return bySha;
}

/**
 * The archive holds working-tree bytes: with `eol=crlf` (or `text=auto` on Windows-minded
 * repositories) every text file gains CRLFs, and without undoing that a whole cold read would
 * fall through to one request per file. Undoing it is only a guess, which is why the result
 * must still hash to the committed blob id; anything else is left to the blobs API.
 */
function asCommitted(data: Buffer, sha: string): Buffer | null {
  if (gitBlobSha(data) === sha) return data;
  if (!data.includes("\r\n")) return null;
  const lf = Buffer.from(data.toString("latin1").replaceAll("\r\n", "\n"), "latin1");
  return gitBlobSha(lf) === sha ? lf : null;
}

/** GitHub answers 302 to a short-lived codeload link; the redirect is followed by hand. */
async function tarballLocation(ref: GitHubRepoRef): Promise<string> {
  ref.count();
  let res: { status: number; headers: Record<string, unknown> };
  try {
    res = await ref.client.request("GET /repos/{owner}/{repo}/tarball/{ref}", { owner: ref.owner, repo: ref.repo, ref: ref.sha, request: { redirect: "manual" } });
  } catch (err) {
    const { status, reason } = describeFailure(err);
    throw new TarballError(`requesting the tarball of ${describeRef(ref)} failed: ${reason}`, status === 0 || status >= 500);
  }
  const location = res.headers.location;
  if (res.status < 300 || res.status >= 400 || typeof location !== "string") {
    throw new TarballError(`GitHub answered ${res.status} without a download link for the tarball of ${describeRef(ref)}`, false);
  }
  return location;
}

/**
 * Streams a (gzipped) tar archive through node-tar's parser entirely in memory and keeps the
 * wanted regular files. Entries are filtered by tarEntryPath (links, devices, `..`, absolute
 * paths and anything outside the single root folder are dropped unread); caps bound the
 * download, the unpacked size and the entry count so a hostile or huge archive aborts early.
 */
export async function unpackTarball(body: AsyncIterable<Uint8Array>, wanted: ReadonlySet<string>, limits: TarballLimits): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  let root: string | null = null;
  let entries = 0;
  let unpacked = 0;
  let failure: TarballError | null = null;
  // Non-strict: a damaged entry is skipped with a warning and its file comes from the blobs API.
  const parser = new Parser({ strict: false, onwarn: () => undefined });
  const done = new Promise<void>((resolve, reject) => {
    parser.on("end", () => resolve());
    parser.on("error", (err: unknown) => reject(err));
  });
  done.catch(() => undefined);

  parser.on("entry", (entry: ReadEntry) => {
    entries++;
    unpacked += entry.size;
    if (entries > limits.maxEntries) failure ??= new TarballError(`the tarball has more than ${limits.maxEntries} entries`, false);
    if (unpacked > limits.maxBytes) failure ??= new TarballError(`the tarball unpacks to more than ${limits.maxBytes} bytes`, false);
    root ??= tarRootOf(entry.path);
    const path = failure ? null : tarEntryPath(entry.path, entry.type, root);
    if (path === null || !wanted.has(path) || entry.size > limits.maxEntryBytes) {
      entry.resume();
      return;
    }
    const chunks: Buffer[] = [];
    entry.on("data", (c: Buffer) => chunks.push(c));
    entry.on("end", () => files.set(path, Buffer.concat(chunks)));
  });

  let downloaded = 0;
  for await (const chunk of body) {
    downloaded += chunk.length;
    if (downloaded > limits.maxBytes) failure ??= new TarballError(`the tarball is larger than ${limits.maxBytes} bytes`, false);
    if (failure) throw failure;
    if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
      await Promise.race([once(parser, "drain"), done]);
    }
  }
  parser.end();
  await done;
  if (failure) throw failure;
  return files;
}
