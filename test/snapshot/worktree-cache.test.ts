import { symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCheckMemo } from "../../src/check/check-memo.js";
import type { RepoSnapshot } from "../../src/core/snapshot.js";
import { createWorktreeCache } from "../../src/snapshot/worktree-cache.js";
import { worktreeFileSource } from "../../src/snapshot/worktree-file-source.js";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";

let repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});

const repo = () => {
  const r = createTestRepo({ "a.ts": "export const a = 1;\n", "b.ts": "export const b = 1;\n", ".gitignore": "ignored/\n" });
  repos.push(r);
  return r;
};
const text = (m: Map<string, Uint8Array | Error>, p: string) => new TextDecoder().decode(m.get(p) as Uint8Array);
/** Well outside any racy window. */
const backdate = (r: TestRepo, p: string, seconds: number) => utimesSync(join(r.dir, p), new Date(Date.now() - seconds * 1000), new Date(Date.now() - seconds * 1000));

describe("worktree cache", () => {
  it("lists and reads what worktreeFileSource does, re-reading only files whose stat changed", async () => {
    const r = repo();
    r.write({ "new.ts": "x\n", "ignored/x.ts": "y\n" });
    symlinkSync("a.ts", join(r.dir, "link.ts"));
    const cache = createWorktreeCache(r.dir, { racyMs: 0 });
    const first = await cache.refresh();
    expect(await first.listFiles()).toEqual(await worktreeFileSource(r.dir).listFiles());
    expect(cache.lastRefresh).toEqual({ read: 5, reused: 0 });

    await cache.refresh();
    expect(cache.lastRefresh).toEqual({ read: 0, reused: 5 });
    // Same size, another mtime: re-read.
    writeFileSync(join(r.dir, "a.ts"), "export const a = 2;\n");
    backdate(r, "a.ts", 60);
    const next = await cache.refresh();
    expect(cache.lastRefresh).toEqual({ read: 1, reused: 4 });
    expect(text(await next.readFiles(["a.ts"]), "a.ts")).toBe("export const a = 2;\n");
    expect(await next.listFiles()).toEqual(await worktreeFileSource(r.dir).listFiles());
    // The earlier view keeps the bytes it was made from.
    expect(text(await first.readFiles(["a.ts"]), "a.ts")).toBe("export const a = 1;\n");
  });

  it("hands out the same view while nothing changed, skipping what is not a file (a nested repository)", async () => {
    const r = repo();
    r.write({ "nested/x.ts": "n\n" });
    r.git("-C", "nested", "init", "-q");
    const cache = createWorktreeCache(r.dir, { racyMs: 0 });
    const first = await cache.refresh();
    expect((await first.listFiles()).map((e) => e.path)).toEqual([".gitignore", "a.ts", "b.ts"]);
    expect(await first.listFiles()).toEqual(await worktreeFileSource(r.dir).listFiles());
    expect(await cache.refresh()).toBe(first);
    r.write({ "c.ts": "c\n" });
    expect(await cache.refresh()).not.toBe(first);
  });

  it("does not trust a file whose mtime or ctime falls within the racy window", async () => {
    const r = repo();
    const cache = createWorktreeCache(r.dir, { racyMs: 60_000 });
    await cache.refresh();
    await cache.refresh();
    expect(cache.lastRefresh).toEqual({ read: 3, reused: 0 });
    // An old mtime does not vouch for the bytes while the ctime is recent (utimes itself sets it).
    backdate(r, "b.ts", 3600);
    await cache.refresh();
    await cache.refresh();
    expect(cache.lastRefresh).toEqual({ read: 3, reused: 0 });
  });

  it("keeps bytes within its budget and reads the rest again on each refresh", async () => {
    const r = repo();
    const cache = createWorktreeCache(r.dir, { racyMs: 0, maxRetainedBytes: 25 });
    await cache.refresh();
    const view = await cache.refresh();
    expect(cache.lastRefresh.read).toBeGreaterThan(0);
    expect(cache.lastRefresh.reused).toBeGreaterThan(0);
    expect(await view.listFiles()).toEqual(await worktreeFileSource(r.dir).listFiles());
  });
});

describe("check memo", () => {
  const snap = { files: [] } as unknown as RepoSnapshot;
  it("computes once per key, forgets failures and keeps only the most recent entries", async () => {
    const memo = createCheckMemo({ snapshots: 2 });
    let calls = 0;
    const compute = async () => (calls++, snap);
    await memo.snapshot("a", compute);
    await memo.snapshot("a", compute);
    expect(calls).toBe(1);
    await expect(memo.snapshot("bad", async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    await memo.snapshot("bad", compute);
    expect(calls).toBe(2);
    await memo.snapshot("c", compute);
    await memo.snapshot("a", compute); // evicted by "bad" and "c"
    expect(calls).toBe(4);
  });
});
