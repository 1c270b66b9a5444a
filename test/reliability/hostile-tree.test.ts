import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitBlobSha } from "../../src/core/git-blob-sha.js";
import { startGitHubProxy, tarGz, type Answer, type GitHubProxy } from "./github-proxy.js";
import { CLEAN, DIRTY, HUMAN, startRig, waitFor, type Rig } from "./rig.js";
import { ensureBuilt, spawnPlumbline, type PlumblineProcess } from "./worker-process.js";

/**
 * What a repository (or an upstream) can hand the worker: files too big to read, trees too big
 * to list, links and `..` paths, crafted archives, bytes that are not text. Each must end in a
 * concluded run, bounded in time, requests and memory, and none may hide a violation. The
 * worker is a child process (its memory is measured); a proxy rewrites what GitHub "says".
 */

let proxy: GitHubProxy;
let rig: Rig;
let worker: PlumblineProcess;

beforeAll(async () => {
  ensureBuilt();
  rig = await startRig({ workers: false, apiUrl: async (fakeUrl) => (proxy = await startGitHubProxy(fakeUrl)).url });
  worker = spawnPlumbline("worker", rig.childEnv({ WORKER_CONCURRENCY: "2", RUN_DEADLINE_SECONDS: "120" }));
  await worker.ready;
}, 240_000);
afterAll(async () => {
  await worker?.kill();
  await rig?.close();
  await proxy?.close();
});

async function pushBranch(name: string, files: Record<string, string | Buffer | { symlink: string }>) {
  const repo = await rig.repoWithPolicy(`acme/${name}`);
  const { sha } = await rig.fake.push(repo, { branch: "work", message: name, files, sender: HUMAN });
  return { repo, sha };
}
const concluded = (repo: string, sha: string, ms = 60_000) => waitFor(`the run on ${repo}@${sha.slice(0, 7)}`, () => rig.fake.checkRuns(repo, sha).find((r) => r.status === "completed"), ms);
const blobRequests = (repo: string) => rig.fake.requests.filter((r) => r.path.startsWith(`/repos/${repo}/git/blobs/`)).map((r) => r.path.split("/").pop()!);
const treeOf = (sha: string) => new RegExp(`/git/trees/${sha}$`);

describe("hostile trees", () => {
  it("a blob over the size cap is listed but never fetched (a real 2 MiB file, and a tree entry claiming 1 GiB)", async () => {
    const huge = Buffer.alloc(2 * 1024 * 1024, "a");
    const { repo, sha } = await pushBranch("huge", { "assets/huge.dat": huge, "src/ok.ts": CLEAN });
    const giant = "e".repeat(40);
    proxy.rules.push(async ({ url }, forward) => {
      if (!treeOf(sha).test(url.pathname)) return null;
      const up = await forward();
      const tree = up.json<{ tree: object[] }>();
      tree.tree.push({ path: "assets/giant.iso", mode: "100644", type: "blob", sha: giant, size: 1024 ** 3 });
      return { status: 200, body: tree };
    });
    const run = await concluded(repo, sha);
    console.info(`[tree] over-cap blobs: ${run.conclusion}; blobs fetched: ${blobRequests(repo).length}`);
    expect(run.conclusion).toBe("success");
    expect(blobRequests(repo)).not.toContain(gitBlobSha(huge));
    expect(blobRequests(repo)).not.toContain(giant);
    expect(rig.fake.requests.some((r) => r.path.includes(`/repos/${repo}/tarball`))).toBe(false);
  });

  it("a tree of 10⁶ entries fails closed on the listing cap, with bounded memory and requests", async () => {
    const { repo, sha } = await pushBranch("million", { "src/ok.ts": CLEAN });
    const hex = (n: number, tag: string) => `${tag}${n.toString(16).padStart(40 - tag.length, "0")}`;
    let served = 0;
    // What GitHub answers for a huge tree: the recursive listing is truncated, so the walker
    // lists the root, then each of 1,000 directories of 1,000 files.
    proxy.rules.push(({ url }) => {
      if (treeOf(sha).test(url.pathname)) return { status: 200, body: { sha: hex(0, "abc"), tree: [], truncated: true } };
      const m = /\/git\/trees\/(abc|dd)([0-9a-f]+)$/.exec(url.pathname);
      if (!m) return null;
      served++;
      if (m[1] === "abc") return { status: 200, body: { sha: hex(0, "abc"), truncated: false, tree: Array.from({ length: 1000 }, (_, i) => ({ path: `d${i}`, mode: "040000", type: "tree", sha: hex(i, "dd") })) } };
      const dir = parseInt(m[2]!, 16);
      return { status: 200, body: { sha: hex(dir, "dd"), truncated: false, tree: Array.from({ length: 1000 }, (_, j) => ({ path: `f${j}.ts`, mode: "100644", type: "blob", sha: hex(dir * 1000 + j, "ff"), size: 20 })) } };
    });
    const before = worker.memory();
    const t0 = Date.now();
    const run = await concluded(repo, sha, 90_000);
    const after = worker.memory();
    console.info(`[tree] 10⁶ entries: ${run.conclusion} "${run.title}" after ${Math.round((Date.now() - t0) / 1000)} s; ${served} tree pages served; worker peak RSS ${(before.peakKiB / 1024).toFixed(0)} → ${(after.peakKiB / 1024).toFixed(0)} MiB`);
    expect(run.conclusion).toBe("failure");
    expect(`${run.title} ${run.summary}`).toMatch(/tree entries/);
    expect((after.peakKiB - before.peakKiB) / 1024).toBeLessThan(300);
    expect(served).toBeLessThan(4 * 260); // ≤ 4 attempts of ~201 pages each, never the whole million
  }, 120_000);

  it("symlinks are never followed, and `..` or absolute paths in a tree listing fail closed", async () => {
    const { repo, sha } = await pushBranch("links", { "src/link.ts": { symlink: "/etc/passwd" }, "src/up.ts": { symlink: "../../../../etc/shadow" }, "src/ok.ts": CLEAN });
    const run = await concluded(repo, sha);
    expect(run.conclusion).toBe("success"); // the links are listed, not read through

    const policyLink = await rig.repoWithPolicy("acme/policy-link");
    const { sha: linked } = await rig.fake.push(policyLink, { branch: "main", message: "link", files: { "invariants/b.yml": { symlink: "/etc/passwd" } }, sender: HUMAN });
    const pr = await concluded(policyLink, linked);
    expect(pr.conclusion).toBe("failure");
    expect(pr.annotations.some((a) => a.path === "invariants/b.yml")).toBe(true);

    const { repo: evil, sha: evilSha } = await pushBranch("dotdot", { "src/ok.ts": CLEAN });
    const real = rig.fake.requests.length;
    proxy.rules.push(async ({ url }, forward) => {
      if (!treeOf(evilSha).test(url.pathname)) return null;
      const tree = (await forward()).json<{ tree: Array<Record<string, unknown>> }>();
      const blob = tree.tree.find((e) => e.type === "blob")!;
      for (const path of ["../../etc/passwd", "src/../../../escape.ts", "/abs.ts"]) tree.tree.push({ ...blob, path });
      return { status: 200, body: tree };
    });
    const bad = await concluded(evil, evilSha);
    console.info(`[tree] tree listing with ../ and absolute paths: ${bad.conclusion} "${bad.title}" (${rig.fake.requests.length - real} requests)`);
    expect(bad.conclusion).toBe("failure");
    expect(`${bad.title} ${bad.summary}`).toMatch(/\.\.\/\.\.\/etc\/passwd|malformed/);
  }, 90_000);

  it("a crafted tarball (links, `..`, absolute paths, substituted bytes) supplies nothing: every such file comes from the blobs API", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`src/f${i}.ts`] = `export const v${i} = ${i};\n`;
    files["src/f5.ts"] = DIRTY; // the violation the archive tries to hide
    const { repo, sha } = await pushBranch("tarball", files);
    const root = "acme-tarball-0000000";
    const entries = [
      { name: `${root}/`, type: "5" as const },
      ...Object.entries(files).filter(([p]) => !/src\/f[0-5]\.ts$/.test(p)).map(([p, c]) => ({ name: `${root}/${p}`, type: "0" as const, content: c })),
      { name: `${root}/src/f0.ts`, type: "2" as const, linkname: "/etc/passwd" },
      { name: `${root}/src/f1.ts`, type: "1" as const, linkname: "/etc/passwd" },
      { name: `${root}/../src/f2.ts`, type: "0" as const, content: files["src/f2.ts"]! },
      { name: `/src/f3.ts`, type: "0" as const, content: files["src/f3.ts"]! },
      { name: `${root}/src/f4.ts`, type: "0" as const, content: "console.log('smuggled');\n" },
      { name: `${root}/src/f5.ts`, type: "0" as const, content: CLEAN },
    ];
    const archive = tarGz(entries);
    proxy.rules.push(({ url }): Answer | null => {
      if (url.pathname === `/repos/${repo}/tarball/${sha}`) return { status: 302, headers: { location: `${proxy.url}/crafted/${sha}.tar.gz` }, body: "" };
      if (url.pathname === `/crafted/${sha}.tar.gz`) return { status: 200, headers: { "content-type": "application/x-gzip" }, body: archive };
      return null;
    });
    const run = await concluded(repo, sha);
    const fetched = blobRequests(repo);
    console.info(`[tree] crafted tarball: ${run.conclusion}, annotations on ${run.annotations.map((a) => a.path).join(", ")}; ${fetched.length} blobs fetched one by one`);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations.map((a) => a.path)).toEqual(["src/f5.ts"]);
    for (const i of [0, 1, 2, 3, 4, 5]) expect(fetched, `src/f${i}.ts`).toContain(gitBlobSha(Buffer.from(files[`src/f${i}.ts`]!)));
    expect(fetched.length).toBeLessThanOrEqual(8);
  }, 90_000);

  it("invalid UTF-8, NUL bytes and binary blobs never crash the worker, and do not hide a violation in a source file", async () => {
    const { repo, sha } = await pushBranch("bytes", {
      "src/invalid.ts": Buffer.concat([Buffer.from("console.log('a');\n// "), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from("\n")]),
      "src/nul.ts": Buffer.from("console.log('b');\n// \0\n"),
      "src/big.ts": `console.log('c');\n// ${"x".repeat(1100 * 1024)}\n`,
      "assets/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 0xd8]),
      "assets/blob.dat": Buffer.from([0, 1, 2, 0xff, 0xfe]),
    });
    const run = await concluded(repo, sha);
    const paths = run.annotations.map((a) => a.path).sort();
    console.info(`[tree] odd bytes: ${run.conclusion}; annotated: ${paths.join(", ") || "nothing"}`);
    expect(worker.child.exitCode).toBeNull();
    expect(run.conclusion).toBe("failure");
    expect(paths).toEqual(["src/big.ts", "src/invalid.ts", "src/nul.ts"]);
  }, 60_000);
});
