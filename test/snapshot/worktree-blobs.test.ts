import { execFileSync } from "node:child_process";
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gitFileSource } from "../../src/snapshot/git-file-source.js";
import { readBlobsFromWorktree } from "../../src/snapshot/worktree-blobs.js";
import { createTestRepo } from "../helpers/git-repo.js";

describe("reading a revision's blobs from the working tree", () => {
  const repo = createTestRepo();
  afterAll(() => repo.cleanup());
  const committed = { "same.ts": "export const same = 1;\n", "edited.ts": "export const edited = 1;\n", "gone.ts": "export const gone = 1;\n", "link.ts": "export const link = 1;\n", "fifo.ts": "export const fifo = 1;\n", "grown.ts": "a\n" };
  const head = repo.commit(committed);

  it("takes only files that hash to the committed blob, and git's bytes for every other", async () => {
    // The working tree drifts from HEAD in every way it can.
    writeFileSync(join(repo.dir, "edited.ts"), "export const edited = 2;\n");
    rmSync(join(repo.dir, "gone.ts"));
    rmSync(join(repo.dir, "link.ts"));
    symlinkSync(join(repo.dir, "same.ts"), join(repo.dir, "link.ts"));
    rmSync(join(repo.dir, "fifo.ts"));
    // A FIFO with no writer: opening it for reading would block a plain open forever.
    execFileSync("mkfifo", [join(repo.dir, "fifo.ts")]);
    writeFileSync(join(repo.dir, "grown.ts"), "a\nb\n");

    const source = gitFileSource(repo.dir, head);
    const entries = await source.listFiles();
    const wanted = entries.map((e) => ({ path: e.path, sha: e.blobSha!, size: e.size }));
    const found = await readBlobsFromWorktree(repo.dir, wanted, () => {});
    expect([...found].map((b) => b.path)).toEqual(["same.ts"]);

    const streamed = new Map<string, string>();
    const read = await source.readFiles(Object.keys(committed), (path, data) => streamed.set(path, Buffer.from(data).toString("utf8")));
    for (const [path, text] of Object.entries(committed)) {
      expect(Buffer.from(read.get(path) as Uint8Array).toString("utf8"), path).toBe(text);
      expect(streamed.get(path), path).toBe(text);
    }
  });

  it("reads another revision's unchanged files from the working tree too, and never a path outside it", async () => {
    const next = repo.commit({ "edited.ts": "export const edited = 2;\n", "gone.ts": null, "link.ts": null, "fifo.ts": null, "grown.ts": "a\nb\n" });
    const wanted = (await gitFileSource(repo.dir, head).listFiles()).map((e) => ({ path: e.path, sha: e.blobSha!, size: e.size }));
    const found = await readBlobsFromWorktree(repo.dir, wanted, () => {});
    expect([...found].map((b) => b.path)).toEqual(["same.ts"]);
    expect(next).not.toBe(head);
    const escape = await readBlobsFromWorktree(join(repo.dir, "sub"), [{ path: "../same.ts", sha: wanted.find((b) => b.path === "same.ts")!.sha, size: committed["same.ts"].length }], () => {});
    expect(escape.size).toBe(0);
  });
});
