import { Probot, ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gitBlobSha } from "../../src/core/git-blob-sha.js";
import { createProbotApp, installationClient, silentLogger, type GitHubClient } from "../../src/github/github-client.js";
import { githubFileSource, GitHubReadError, type GitHubFileSourceOptions } from "../../src/github/github-file-source.js";
import { buildSnapshot, SnapshotLimitError } from "../../src/snapshot/build-snapshot.js";
import { redisBlobCache, type BlobCache } from "../../src/store/blob-cache.js";
import { loadRecordCache } from "../../src/store/redis-record-cache.js";
import { createFakeGitHub, type FakeGitHub, type FileSpec, type RecordedRequest } from "../fake-github/index.js";
import { scratchRedis, type ScratchRedis } from "../store/scratch-redis.js";

let fake: FakeGitHub;
let installationId: number;
let client: GitHubClient;
/** Same credentials, but retries after milliseconds instead of 1 s, 4 s, 9 s: for persistent faults. */
let fastRetryClient: GitHubClient;
let s: ScratchRedis;
let cache: BlobCache;
let repoCounter = 0;

beforeAll(async () => {
  fake = await createFakeGitHub();
  installationId = fake.createInstallation({ account: { login: "acme", type: "Organization" } }).id;
  const creds = { appId: fake.appId, privateKey: fake.privateKeyPem, webhookSecret: fake.webhookSecret, baseUrl: fake.url };
  client = await installationClient(createProbotApp(creds), installationId);
  const fast = new Probot({
    appId: creds.appId, privateKey: creds.privateKey, secret: creds.webhookSecret, baseUrl: creds.baseUrl, log: silentLogger(),
    Octokit: ProbotOctokit.defaults({ retry: { retries: 3, retryAfterBaseValue: 5 }, throttle: { enabled: false } }) as typeof ProbotOctokit,
  });
  fastRetryClient = (await fast.auth(installationId)) as GitHubClient;
});
afterAll(async () => {
  expect(fake.unexpectedRequests).toEqual([]);
  await fake.close();
});
beforeEach(() => {
  s = scratchRedis();
  cache = redisBlobCache(s.redis, s.keys);
});
afterEach(async () => {
  fake.clearFaults();
  await s.drop();
});

async function repoWith(files: Record<string, FileSpec>): Promise<{ name: string; sha: string }> {
  const name = `app${++repoCounter}`;
  await fake.createRepo(installationId, { owner: "acme", name });
  const sha = await fake.commit(`acme/${name}`, { branch: "main", files, message: "init" });
  return { name, sha };
}

function source(name: string, sha: string, extra: Partial<GitHubFileSourceOptions> = {}) {
  return githubFileSource({ client, owner: "acme", repo: name, sha, scope: { installationId, repoId: fake.repoId(`acme/${name}`) }, blobCache: cache, ...extra });
}

/** Requests the fake saw while `fn` ran, by kind. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; blobs: number; tarballs: number; codeload: number; trees: number; all: RecordedRequest[] }> {
  const start = fake.requests.length;
  const result = await fn();
  const all = fake.requests.slice(start);
  const n = (re: RegExp) => all.filter((r) => re.test(r.path)).length;
  return { result, all, blobs: n(/\/git\/blobs\//), tarballs: n(/\/tarball\//), codeload: n(/\/legacy\.tar\.gz\//), trees: n(/\/git\/trees\//) };
}

const manyFiles = (n: number, dirs = 20): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`pkg/m${i % dirs}/f${i}.ts`, `export const v${i} = ${i};\n`]));

const bytesOf = (spec: string | Buffer): Buffer => Buffer.from(spec);

describe("githubFileSource listing", () => {
  it("lists every file, symlink and submodule with the git tree's blob ids and sizes", async () => {
    const submodule = "1".repeat(40);
    const files: Record<string, FileSpec> = {
      "README.md": "# app\n",
      "src/a.ts": "export const a = 1;\n",
      "src/lib/deep/b.ts": "export const b = 2;\n",
      "bin/run.sh": { content: "#!/bin/sh\necho hi\n", executable: true },
      "link.ts": { symlink: "src/a.ts" },
      "vendor/sub": { submodule },
      "assets/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
    };
    const { name, sha } = await repoWith(files);
    const listed = await source(name, sha).listFiles();
    const content = (p: string): Buffer => {
      const spec = files[p]!;
      if (typeof spec === "string" || Buffer.isBuffer(spec)) return bytesOf(spec);
      if (spec && "symlink" in spec) return bytesOf(spec.symlink);
      return bytesOf((spec as { content: string }).content);
    };
    const expected = Object.keys(files).sort().map((path) =>
      path === "vendor/sub"
        ? { path, size: 0, blobSha: submodule, type: "submodule" }
        : { path, size: content(path).length, blobSha: gitBlobSha(content(path)), type: path === "link.ts" ? "symlink" : "file" });
    expect(listed).toEqual(expected);
  });

  it("walks a truncated tree subtree by subtree and still lists everything", async () => {
    const files = { "root.ts": "r\n", ...manyFiles(30, 6), ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`pkg/m0/deep/x${i}.ts`, `x${i}\n`])) };
    const { name, sha } = await repoWith(files);
    const complete = await source(name, sha).listFiles();
    expect(complete.map((e) => e.path)).toEqual(Object.keys(files).sort());
    fake.limits.maxTreeEntries = 8;
    try {
      const src = source(name, sha);
      const { result, trees } = await counted(() => src.listFiles());
      expect(result).toEqual(complete);
      // Each truncated subtree costs its recursive try plus one level listing: root 2, pkg 2,
      // pkg/m0 2 (13 entries), then pkg/m0/deep and pkg/m1..m5 fit in one recursive fetch each.
      expect(trees).toBe(12);
      expect(src.stats().requests).toBe(12);
    } finally {
      fake.limits.maxTreeEntries = 100_000;
    }
  });

  it("fails closed when one directory is wider than a single tree response", async () => {
    const { name, sha } = await repoWith(manyFiles(12, 1));
    fake.limits.maxTreeEntries = 8;
    try {
      await expect(source(name, sha).listFiles()).rejects.toThrow(GitHubReadError);
    } finally {
      fake.limits.maxTreeEntries = 100_000;
    }
  });

  it("fails closed above maxEntries, naming the cap", async () => {
    const { name, sha } = await repoWith(manyFiles(30));
    const err = await source(name, sha, { limits: { maxEntries: 10 } }).listFiles().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnapshotLimitError);
    expect((err as Error).message).toMatch(/more than 10 tree entries/);
  });

  it("cannot read another installation's repository with this installation's token", async () => {
    const other = fake.createInstallation({ account: { login: "globex", type: "Organization" } }).id;
    await fake.createRepo(other, { owner: "globex", name: "secret" });
    const sha = await fake.commit("globex/secret", { branch: "main", files: { "a.ts": "secret\n" }, message: "m" });
    const src = githubFileSource({ client, owner: "globex", repo: "secret", sha, scope: { installationId, repoId: fake.repoId("globex/secret") } });
    const err = await src.readFiles(["a.ts"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubReadError);
    expect((err as GitHubReadError).status).toBe(404);
  });
});

describe("githubFileSource reads", () => {
  it("reads a cold 1k-file repository with one tarball, then warm and one-file-change reads from the cache", async () => {
    const files = manyFiles(1000);
    const { name, sha } = await repoWith(files);
    const paths = Object.keys(files);

    const cold = source(name, sha);
    const c = await counted(() => cold.readFiles(paths));
    for (const p of paths) expect(Buffer.from(c.result.get(p) as Uint8Array).toString()).toBe(files[p]);
    expect({ blobs: c.blobs, tarballs: c.tarballs, codeload: c.codeload, trees: c.trees }).toEqual({ blobs: 0, tarballs: 1, codeload: 1, trees: 1 });
    expect(cold.stats()).toMatchObject({ requests: 3, blobsFetched: 1000, blobsFromTarball: 1000, blobsCached: 0, tarball: true, cacheErrors: 0 });
    expect(c.all.find((r) => r.path.includes("legacy.tar.gz"))?.auth).toBe("none");

    const warm = source(name, sha);
    const w = await counted(() => warm.readFiles(paths));
    expect({ blobs: w.blobs, tarballs: w.tarballs, codeload: w.codeload }).toEqual({ blobs: 0, tarballs: 0, codeload: 0 });
    expect(warm.stats()).toMatchObject({ requests: 1, blobsFetched: 0, blobsCached: 1000, tarball: false });

    const changed = await fake.commit(`acme/${name}`, { branch: "main", files: { "pkg/m0/f0.ts": "export const v0 = 'changed';\n" }, message: "edit" });
    const next = source(name, changed);
    const o = await counted(() => next.readFiles(paths));
    expect(Buffer.from(o.result.get("pkg/m0/f0.ts") as Uint8Array).toString()).toBe("export const v0 = 'changed';\n");
    expect({ blobs: o.blobs, tarballs: o.tarballs }).toEqual({ blobs: 1, tarballs: 0 });
    expect(next.stats()).toMatchObject({ requests: 2, blobsFetched: 1, blobsCached: 999 });

    console.log(`GitHub requests for a 1k-file repository: cold ${cold.stats().requests} (tree 1, tarball 1, codeload 1), warm ${warm.stats().requests} (tree), one-file change ${next.stats().requests} (tree + 1 blob)`);
  });

  it("drops symlinks from the archive and serves only regular files", async () => {
    const { name, sha } = await repoWith({ "a.ts": "export {};\n", "link.ts": { symlink: "../../../etc/passwd" }, "dir/link2": { symlink: "/etc/shadow" } });
    const src = source(name, sha, { tarball: "always" });
    const r = await counted(() => src.readFiles(["a.ts", "link.ts", "dir/link2"]));
    expect(Buffer.from(r.result.get("a.ts") as Uint8Array).toString()).toBe("export {};\n");
    expect(r.result.get("link.ts")).toBeInstanceOf(Error);
    expect(r.result.get("dir/link2")).toBeInstanceOf(Error);
    expect({ blobs: r.blobs, tarballs: r.tarballs }).toEqual({ blobs: 0, tarballs: 1 });
  });

  it("verifies archive files by blob id, undoes eol=crlf, and fetches the ones the archive changed or left out", async () => {
    const longPath = `${"nested-directory/".repeat(8)}long-file-name.ts`; // > 100 bytes: a pax header in the archive
    const files = {
      ".gitattributes": "ignored.ts export-ignore\nsubst.ts export-subst\ncrlf.ts text eol=crlf\nmixed.ts -text\n",
      "ignored.ts": "left out\n",
      "subst.ts": "// $Format:%H$\n",
      "crlf.ts": "a\nb\n",
      "mixed.ts": "a\r\nb\n",
      "plain.ts": "plain\n",
      [longPath]: "long\n",
    };
    const { name, sha } = await repoWith(files);
    const src = source(name, sha, { tarball: "always" });
    const r = await counted(() => src.readFiles(Object.keys(files)));
    for (const [p, text] of Object.entries(files)) expect(Buffer.from(r.result.get(p) as Uint8Array).toString()).toBe(text);
    expect(r.all.filter((q) => q.path.includes("/git/blobs/")).map((q) => q.path.slice(-40)).sort()).toEqual(
      ["ignored.ts", "subst.ts"].map((p) => gitBlobSha(files[p]!)).sort(),
    );
    expect(src.stats()).toMatchObject({ tarball: true, blobsFromTarball: 5, blobsFetched: 7 });
  });

  it("never fetches a blob over maxBlobBytes", async () => {
    const big = "x".repeat(200);
    const { name, sha } = await repoWith({ "small.ts": "s\n", "big.ts": big });
    const r = await counted(() => source(name, sha, { limits: { maxBlobBytes: 100 } }).readFiles(["small.ts", "big.ts"]));
    expect(r.result.get("big.ts")).toBeInstanceOf(Error);
    expect((r.result.get("big.ts") as Error).message).toMatch(/over 100 bytes/);
    expect(r.blobs).toBe(1);
    expect(r.all.some((req) => req.path.endsWith(gitBlobSha(big)))).toBe(false);
  });

  it("rides out a transient 5xx on blobs through the client's retries", async () => {
    const { name, sha } = await repoWith({ "a.ts": "a\n", "b.ts": "b\n" });
    fake.inject({ pathPattern: /\/git\/blobs\//, times: 1, status: 503 });
    const src = source(name, sha);
    const r = await counted(() => src.readFiles(["a.ts", "b.ts"]));
    expect(Buffer.from(r.result.get("b.ts") as Uint8Array).toString()).toBe("b\n");
    expect(r.all.filter((req) => req.fault === "status 503")).toHaveLength(1);
    expect(r.blobs).toBe(3);
    expect(src.stats().requests).toBe(3);
  });

  it("throws GitHubReadError, without credentials in the message, when blobs keep failing", async () => {
    const { name, sha } = await repoWith({ "a.ts": "a\n" });
    fake.inject({ pathPattern: /\/git\/blobs\//, times: 100, status: 502 });
    const src = source(name, sha, { client: fastRetryClient });
    const err = await src.readFiles(["a.ts"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubReadError);
    expect((err as GitHubReadError).status).toBe(502);
    expect((err as Error).message).toMatch(/a\.ts .*acme\/app\d+@[0-9a-f]{40} failed: 502/);
    expect(JSON.stringify({ m: (err as Error).message, e: err })).not.toMatch(/ghs_|authorization|bearer|token=/i);
  });

  it("falls back to the blobs API for a small read when the tarball keeps failing", async () => {
    const { name, sha } = await repoWith({ "a.ts": "a\n", "b.ts": "b\n" });
    fake.inject({ pathPattern: /\/tarball\//, times: 100, status: 502 });
    const src = source(name, sha, { client: fastRetryClient, tarball: "always" });
    const r = await counted(() => src.readFiles(["a.ts", "b.ts"]));
    expect(Buffer.from(r.result.get("a.ts") as Uint8Array).toString()).toBe("a\n");
    expect(src.stats().tarball).toBe(false);
    expect(r.blobs).toBe(2);
  });

  it("fails closed instead of spending the rate budget when the tarball of a large cold read keeps failing", async () => {
    const files = manyFiles(600);
    const { name, sha } = await repoWith(files);
    fake.inject({ pathPattern: /\/tarball\//, times: 100, status: 502 });
    const r = await counted(() => source(name, sha, { client: fastRetryClient }).readFiles(Object.keys(files)).catch((e: unknown) => e));
    expect(r.result).toBeInstanceOf(GitHubReadError);
    expect((r.result as Error).message).toMatch(/tarball.*fails closed/);
    expect(r.blobs).toBe(0);
  });

  it("feeds buildSnapshot, with import records kept in Redis between runs", async () => {
    const files = { "src/a.ts": "import { b } from './b.js';\nexport const a = b;\n", "src/b.ts": "export const b = 1;\n" };
    const { name, sha } = await repoWith(files);
    const scope = { installationId, repoId: fake.repoId(`acme/${name}`) };
    const run = async () => {
      const src = source(name, sha);
      const entries = await src.listFiles();
      const records = await loadRecordCache(s.redis, s.keys, scope, entries.flatMap((e) => (e.blobSha ? [e.blobSha] : [])));
      const snapshot = await buildSnapshot(src, { reads: new Set(["imports"]), entries, cache: records });
      await records.flush();
      return { snapshot, loaded: records.loaded };
    };
    const first = await run();
    expect(first.loaded).toBe(0);
    expect(first.snapshot.imports.map((e) => [e.from, e.target])).toEqual([["src/a.ts", { type: "file", path: "src/b.ts" }]]);
    const second = await run();
    expect(second.loaded).toBe(2);
    expect(second.snapshot.imports).toEqual(first.snapshot.imports);
  });
});
