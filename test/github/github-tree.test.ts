import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProbotApp, installationClient, type GitHubClient } from "../../src/github/github-client.js";
import { GitHubReadError } from "../../src/github/github-read-error.js";
import { INCREMENTAL_DIRECTORY_BUDGET, listGitHubTree, type GitHubTreeCache, type RawEntry } from "../../src/github/github-tree.js";
import type { GitHubRepoRef } from "../../src/github/github-repo-ref.js";
import { SnapshotLimitError } from "../../src/snapshot/build-snapshot.js";
import { createFakeGitHub, type FakeGitHub, type FileSpec } from "../fake-github/index.js";

let fake: FakeGitHub;
let installationId: number;
let client: GitHubClient;
let repoCounter = 0;

beforeAll(async () => {
  fake = await createFakeGitHub();
  installationId = fake.createInstallation({ account: { login: "acme", type: "Organization" } }).id;
  client = await installationClient(createProbotApp({ appId: fake.appId, privateKey: fake.privateKeyPem, webhookSecret: fake.webhookSecret, baseUrl: fake.url }), installationId);
});
afterAll(async () => {
  expect(fake.unexpectedRequests).toEqual([]);
  await fake.close();
});

function memoryTreeCache(): GitHubTreeCache & { readonly size: number } {
  const map = new Map<string, readonly RawEntry[]>();
  return {
    get: (sha) => map.get(sha),
    set: (sha, entries) => void map.set(sha, entries),
    get warm() {
      return map.size > 0;
    },
    get size() {
      return map.size;
    },
  };
}

async function newRepo(files: Record<string, FileSpec>): Promise<{ name: string; sha: string }> {
  const name = `tree${++repoCounter}`;
  await fake.createRepo(installationId, { owner: "acme", name });
  return { name, sha: await fake.commit(`acme/${name}`, { branch: "main", files, message: "init" }) };
}

/** Lists one commit, returning the entries and the requests it cost. */
async function list(name: string, sha: string, cache?: GitHubTreeCache, maxEntries = 100_000) {
  let requests = 0;
  const ref: GitHubRepoRef = { client, owner: "acme", repo: name, sha, count: () => void requests++ };
  const entries = await listGitHubTree(ref, maxEntries, cache);
  return { entries, requests };
}

const deepTree = (): Record<string, string> => {
  const files: Record<string, string> = { "README.md": "# r\n", "package.json": "{}\n" };
  for (let p = 0; p < 6; p++) for (let m = 0; m < 8; m++) for (let f = 0; f < 10; f++) files[`packages/p${p}/src/m${m}/f${f}.ts`] = `export const v = ${p * 100 + m * 10 + f};\n`;
  return files;
};

describe("listGitHubTree with a directory cache", () => {
  it("lists a cold repository in one recursive request and fills the cache", async () => {
    const { name, sha } = await newRepo(deepTree());
    const cache = memoryTreeCache();
    const cold = await list(name, sha, cache);
    expect(cold.requests).toBe(1);
    expect(cold.entries).toEqual((await list(name, sha)).entries);
    // The root, packages, 6 packages, 6 src folders and 48 module folders.
    expect(cache.size).toBe(1 + 1 + 6 + 6 + 48);
  });

  it("lists a one-file change with one request per directory on its path, exactly as an uncached listing", async () => {
    const { name, sha } = await newRepo(deepTree());
    const cache = memoryTreeCache();
    await list(name, sha, cache);
    const changes: Record<string, FileSpec>[] = [
      { "packages/p3/src/m5/f4.ts": "export const v = 'changed';\n" },
      { "packages/p3/src/m5/new.ts": "export {};\n" },
      { "packages/p1/src/m0/f0.ts": null },
      { "packages/p2/src/m9/deeper/x.ts": "export {};\n", "README.md": "# changed\n" },
      { "packages/p4": null },
      { "docs/a.md": { symlink: "../README.md" }, "vendor/lib": { submodule: "1".repeat(40) } },
    ];
    const requests: number[] = [];
    for (const change of changes) {
      const next = await fake.commit(`acme/${name}`, { branch: "main", files: change, message: "change" });
      const start = fake.requests.length;
      const warm = await list(name, next, cache);
      expect(fake.requests.slice(start).filter((r) => r.url.includes("recursive"))).toEqual([]);
      expect(warm.entries).toEqual((await list(name, next)).entries);
      requests.push(warm.requests);
    }
    // The root, then each changed directory on the way down (packages, p3, src, m5 for the first).
    expect(requests).toEqual([5, 5, 5, 6, 2, 3]);
    const lastTip = (await fake.branchTip(`acme/${name}`, "main"))!;
    // Unchanged commit: only its root is fetched (the commit → root tree step is not cached here).
    expect((await list(name, lastTip, cache)).requests).toBe(1);
  });

  it("switches to recursive requests past the directory budget", async () => {
    const files: Record<string, string> = {};
    for (let d = 0; d < INCREMENTAL_DIRECTORY_BUDGET + 20; d++) files[`d${d}/sub/a.ts`] = `export const a = ${d};\n`;
    const { name, sha } = await newRepo(files);
    const cache = memoryTreeCache();
    await list(name, sha, cache);
    const all = Object.fromEntries(Object.keys(files).map((p) => [p, "export const a = 'codemod';\n"]));
    const next = await fake.commit(`acme/${name}`, { branch: "main", files: all, message: "codemod" });
    const warm = await list(name, next, cache);
    expect(warm.entries).toEqual((await list(name, next)).entries);
    // The root; the first 64 changed folders one level each; past the budget every uncached
    // folder (the other 20, and the 64 `sub` folders) in one recursive request each.
    expect(warm.requests).toBe(1 + INCREMENTAL_DIRECTORY_BUDGET + 20 + INCREMENTAL_DIRECTORY_BUDGET);
  });

  it("keeps the guarantees of an uncached listing: maxEntries, malformed paths, truncated directories", async () => {
    const { name, sha } = await newRepo(deepTree());
    const cache = memoryTreeCache();
    await list(name, sha, cache);
    // Served from the cache, the cap still holds.
    await expect(list(name, sha, cache, 100)).rejects.toThrow(SnapshotLimitError);

    const forged = memoryTreeCache();
    const root = (await client.rest.git.getTree({ owner: "acme", repo: name, tree_sha: sha })).data;
    forged.set(root.sha, [{ path: "..", mode: "100644", type: "blob", sha: "2".repeat(40), size: 1 }]);
    const packages = root.tree.find((e) => e.path === "packages")!;
    forged.set(packages.sha!, [{ path: "..", mode: "100644", type: "blob", sha: "2".repeat(40), size: 1 }]);
    await expect(list(name, sha, forged)).rejects.toThrow(/malformed path/);

    const wide: Record<string, string> = { "x/keep.ts": "k\n" };
    for (let i = 0; i < 12; i++) wide[`wide/f${i}.ts`] = `${i}\n`;
    const w = await newRepo(wide);
    const wideCache = memoryTreeCache();
    wideCache.set("0".repeat(40), []); // warm, but nothing of this repository
    fake.limits.maxTreeEntries = 8;
    try {
      await expect(list(w.name, w.sha, wideCache)).rejects.toThrow(GitHubReadError);
    } finally {
      fake.limits.maxTreeEntries = 100_000;
    }
  });

  it("walks a truncated cold tree and caches only complete listings", async () => {
    const { name, sha } = await newRepo(deepTree());
    const expected = (await list(name, sha)).entries;
    fake.limits.maxTreeEntries = 40;
    try {
      const cache = memoryTreeCache();
      const cold = await list(name, sha, cache);
      expect(cold.entries).toEqual(expected);
      const again = await list(name, sha, cache);
      expect(again.entries).toEqual(expected);
      expect(again.requests).toBe(1);
    } finally {
      fake.limits.maxTreeEntries = 100_000;
    }
  });
});
