import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listRefsUnder, readRef } from "./ref-reader.js";
import { GitStore } from "./git-store.js";

/** The fake's ref reader against git's own answers, on a real bare repository. */
const dir = mkdtempSync(join(tmpdir(), "plumbline-refs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync("git", [`--git-dir=${dir}`, ...args], { encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" } }).trim();

describe("fake GitHub ref reader", () => {
  it("answers as git for-each-ref and rev-parse do: loose, packed, nested, symbolic, annotated tags", async () => {
    execFileSync("git", ["init", "-q", "--bare", dir]);
    const tree = git("mktree", "--missing");
    const c1 = git("commit-tree", tree, "-m", "one");
    const c2 = git("commit-tree", tree, "-p", c1, "-m", "two");
    git("update-ref", "refs/heads/main", c1);
    git("update-ref", "refs/heads/agent/fix", c2);
    git("update-ref", "refs/heads/zeta", c1);
    git("tag", "-a", "v1", c2, "-m", "tag");
    git("pack-refs", "--all");
    // A loose ref written after packing wins over its packed value, as in git.
    git("update-ref", "refs/heads/main", c2);
    git("update-ref", "refs/heads/late", c1);
    git("symbolic-ref", "refs/heads/alias", "refs/heads/zeta");

    const forEachRef = (prefix: string) =>
      git("for-each-ref", "--format=%(objectname) %(refname)", prefix)
        .split("\n")
        .filter(Boolean)
        .map((l) => ({ sha: l.slice(0, 40), ref: l.slice(41) }));
    for (const prefix of ["refs/heads", "refs/tags", "refs/heads/agent", "refs/nothing"]) expect(await listRefsUnder(dir, prefix)).toEqual(forEachRef(prefix));

    expect(await readRef(dir, "refs/heads/main")).toBe(c2);
    expect(await readRef(dir, "refs/heads/zeta")).toBe(c1);
    expect(await readRef(dir, "refs/heads/alias")).toBe(c1);
    expect(await readRef(dir, "refs/heads/missing")).toBeNull();

    const store = await GitStore.init(dir, "main");
    try {
      for (const ref of ["refs/heads/main", "refs/heads/agent/fix", "refs/tags/v1", "refs/heads/alias"]) expect(await store.refSha(ref)).toBe(git("rev-parse", "--verify", `${ref}^{commit}`));
      expect(await store.refSha("refs/heads/missing")).toBeNull();
    } finally {
      store.close();
    }
  });

  it("refuses names that would leave refs/ or are not refs", async () => {
    writeFileSync(join(dir, "config-copy"), "0".repeat(40));
    for (const name of ["../config-copy", "refs/../config-copy", "refs//heads", "HEAD", "/etc/passwd", "refs/heads/\0x"]) expect(await readRef(dir, name)).toBeNull();
    expect(await listRefsUnder(dir, "..")).toEqual([]);
  });
});
