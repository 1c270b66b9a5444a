import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gitFileSource } from "../../src/snapshot/git-file-source.js";
import { rootTreeId, type ListedEntry } from "../../src/snapshot/git-tree-id.js";
import { createTestRepo } from "../helpers/git-repo.js";

/** A tree with what makes git's tree order and modes differ from a naive sort: names that sort around `/`, modes, a symlink, a submodule, non-ASCII. */
const repo = createTestRepo({
  "a.b": "1\n",
  "a/b.ts": "2\n",
  "a-b/c.ts": "3\n",
  "a0": "4\n",
  "a/x/deep/y.ts": "5\n",
  "bin/run.sh": "#!/bin/sh\n",
  "ü/é.ts": "6\n",
  "z/\u{1F600}.ts": "7\n",
  "z/\uE000.ts": "8\n",
});
repo.git("update-index", "--chmod=+x", "bin/run.sh");
symlinkSync("a.b", join(repo.dir, "link"));
repo.git("add", "-A");
// A submodule entry (gitlink) without a .gitmodules: the tree records the commit id only.
repo.git("update-index", "--add", "--cacheinfo", `160000,${repo.git("rev-parse", "HEAD")},vendor/sub`);
repo.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "second");
const head = repo.git("rev-parse", "HEAD");
afterAll(() => repo.cleanup());

const listing = (rev: string): Buffer => execFileSync("git", ["ls-tree", "-r", "-l", "-z", "--full-tree", rev], { cwd: repo.dir });
const rows = (out: Buffer): ListedEntry[] =>
  out
    .toString("utf8")
    .split("\0")
    .filter(Boolean)
    .map((rec) => {
      const tab = rec.indexOf("\t");
      const [mode, , sha] = rec.slice(0, tab).split(/\s+/);
      return { mode: mode!, sha: sha!, path: rec.slice(tab + 1) };
    });

describe("rootTreeId", () => {
  it("is git's own tree id for a recursive listing", () => {
    expect(rootTreeId(rows(listing(head)))).toBe(repo.git("rev-parse", `${head}^{tree}`));
    expect(rootTreeId(rows(listing("HEAD~1")))).toBe(repo.git("rev-parse", "HEAD~1^{tree}"));
  });

  it("differs when any entry does, and the empty listing is the empty tree", () => {
    const r = rows(listing(head));
    const exec = r.map((e) => (e.path === "a0" ? { ...e, mode: "100755" } : e));
    expect(rootTreeId(exec)).not.toBe(rootTreeId(r));
    expect(rootTreeId(r.filter((e) => e.path !== "a/x/deep/y.ts"))).not.toBe(rootTreeId(r));
    expect(rootTreeId([])).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    expect(rootTreeId([{ mode: "100644", sha: "abc", path: "x" }])).toBeNull();
  });
});

describe("gitFileSource with a prelisted tree", () => {
  const tree = repo.git("rev-parse", `${head}^{tree}`);
  const list = async (dir: string, prelisted?: { commit: string; tree: string; listing: Buffer } | null) =>
    (await gitFileSource(dir, head, prelisted === undefined ? {} : { prelisted: Promise.resolve(prelisted) }).listFiles()).map((e) => `${e.path} ${e.blobSha}`);
  // Not a repository: a source that lists by itself fails there, so a listing that comes back was the prelisted one.
  const elsewhere = mkdtempSync(join(tmpdir(), "plumbline-not-a-repo-"));
  afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

  it("takes a listing that hashes to the commit's tree", async () => {
    const own = await list(repo.dir);
    expect(own).toContain(`vendor/sub ${repo.git("rev-parse", "HEAD~1")}`);
    expect(await list(elsewhere, { commit: head, tree, listing: listing(head) })).toEqual(own);
  });

  it("lists again for another tree's listing, a doctored one, another commit or none", async () => {
    const doctored = Buffer.concat([listing(head), Buffer.from(`100644 blob ${"0".repeat(40)}       1\tonly-in-prelisted\0`)]);
    const older = { commit: repo.git("rev-parse", "HEAD~1"), tree: repo.git("rev-parse", "HEAD~1^{tree}"), listing: listing("HEAD~1") };
    // HEAD moved between the listing and the commit read: the listing is of the older tree.
    for (const pre of [{ commit: head, tree, listing: listing("HEAD~1") }, { commit: head, tree, listing: doctored }, older, null]) {
      await expect(list(elsewhere, pre)).rejects.toThrow(/ls-tree/);
      expect(await list(repo.dir, pre)).toEqual(await list(repo.dir));
    }
  });
});
