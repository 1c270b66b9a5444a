import { describe, expect, it } from "vitest";
import { gitBlobSha } from "../../src/core/git-blob-sha.js";
import type { Read } from "../../src/core/kind.js";
import type { RepoSnapshot } from "../../src/core/snapshot.js";
import { buildSnapshot } from "../../src/snapshot/build-snapshot.js";
import type { FileSource, TreeEntry } from "../../src/snapshot/file-source.js";
import { createMemoryRecordCache } from "../../src/snapshot/record-cache.js";

type Tree = Record<string, string | Uint8Array>;

/** An in-memory revision that counts what it was asked to read. */
function treeSource(tree: Tree): FileSource & { read: string[] } {
  const bytes = (v: string | Uint8Array) => (typeof v === "string" ? Buffer.from(v) : v);
  const read: string[] = [];
  return {
    label: "tree",
    read,
    async listFiles() {
      return Object.keys(tree).sort().map((path): TreeEntry => ({ path, size: bytes(tree[path]!).length, blobSha: gitBlobSha(bytes(tree[path]!)), type: "file" }));
    },
    async readFiles(paths) {
      read.push(...paths);
      return new Map(paths.map((p) => [p, tree[p] === undefined ? new Error(`${p} missing`) : bytes(tree[p]!)]));
    },
  };
}

const base: Tree = {
  "package.json": JSON.stringify({ name: "root", workspaces: ["packages/*"], dependencies: { lodash: "^4" } }),
  "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@app/*": ["src/*"] } } }),
  "packages/ui/package.json": JSON.stringify({ name: "@acme/ui", main: "dist/index.js" }),
  "packages/ui/src/index.ts": `export { Button } from "./button";\nexport * from "./theme";\n`,
  "packages/ui/src/button.ts": `import { db } from "@app/db";\nexport const Button = db;\n`,
  "packages/ui/src/theme.ts": `export const theme = 1;\n`,
  "src/db.ts": `import pg from "pg";\nexport const db = pg;\n`,
  "src/foo/index.ts": `export const foo = "dir";\n`,
  "src/app.ts": `import { foo } from "./foo";\nimport { Button, theme } from "@acme/ui";\nimport { db } from "@app/db";\nimport _ from "lodash";\nexport default [foo, Button, theme, db, _];\n`,
  "src/barrel.ts": `export { foo } from "./foo";\n`,
  "src/use-barrel.ts": `import { foo } from "./barrel";\nexport const x = foo;\n`,
  "src/broken.ts": `import { a from "./nowhere";\n`,
  "src/accent.ts": `import { accent } from "@acme/ui";\nexport const x = accent;\n`,
  "src/ns.ts": `import * as ui from "../packages/ui/src/index";\nexport const x = ui;\n`,
  "src/leaf.ts": `import { db } from "./db";\nimport { theme } from "../packages/ui/src/theme";\nexport const leaf = [db, theme];\n`,
  "assets/logo.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]),
  "notes/blob.txt": new Uint8Array([104, 105, 0, 1, 2]),
  "notes/latin1.txt": new Uint8Array([0xe9, 0x74, 0xe9]),
  "invariants/rules.yml": "version: 1\ninvariants: []\n",
};

const changes: Record<string, (t: Tree) => Tree> = {
  "modify a file": (t) => ({ ...t, "src/db.ts": `import pg from "pg";\nexport const db = pg;\nexport const more = 2;\n` }),
  "add a file": (t) => ({ ...t, "src/new.ts": `import { db } from "./db";\n` }),
  "delete a file": (t) => without(t, "src/db.ts"),
  "rename a file": (t) => ({ ...without(t, "src/db.ts"), "src/database.ts": t["src/db.ts"]! }),
  "a new foo.ts beside foo/index.ts": (t) => ({ ...t, "src/foo.ts": `export const foo = "file";\n` }),
  "a tsconfig change": (t) => ({ ...t, "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@app/*": ["packages/ui/src/*"] } } }) }),
  "a package.json change": (t) => ({ ...t, "packages/ui/package.json": JSON.stringify({ name: "@acme/widgets", main: "dist/index.js" }), "package.json": JSON.stringify({ name: "root", workspaces: ["packages/*"], dependencies: { request: "2" } }) }),
  "a barrel change": (t) => ({ ...t, "packages/ui/src/index.ts": `export { Button as theme } from "./button";\n`, "src/barrel.ts": `export { db as foo } from "./db";\n` }),
  "a text file turning binary and back": (t) => ({ ...t, "notes/blob.txt": "now text\n", "notes/latin1.txt": new Uint8Array([0, 0, 0]) }),
  "the same path with other bytes of the same size": (t) => ({ ...t, "src/foo/index.ts": `export const foo = "DIR";\n` }),
  "an export added behind an export *": (t) => ({ ...t, "packages/ui/src/theme.ts": `export const theme = 1;\nexport const accent = 2;\n` }),
  "a module becoming a barrel": (t) => ({ ...t, "src/foo/index.ts": `export * from "../db";\nexport { theme as foo } from "../../packages/ui/src/theme";\n` }),
  "a loop of export *": (t) => ({ ...t, "packages/ui/src/theme.ts": `export * from "./index";\nexport const theme = 1;\n` }),
  "a leaf's imports": (t) => ({ ...t, "src/leaf.ts": `import { Button } from "@acme/ui";\nexport const leaf = Button;\n` }),
  "nothing": (t) => ({ ...t }),
};

/** Changes after which the import graph keeps the base's edges for files the change cannot reach. */
const keepsEdges = new Set(["modify a file", "a barrel change", "a text file turning binary and back", "the same path with other bytes of the same size", "an export added behind an export *", "a module becoming a barrel", "a leaf's imports", "nothing"]);

function without(t: Tree, path: string): Tree {
  const { [path]: _, ...rest } = t;
  return rest;
}

const reads: ReadonlySet<Read> = new Set<Read>(["tree", "contents", "imports", "dependencies"]);

/** Everything a snapshot holds, with map order (evaluators iterate the maps, so order is part of the result). */
function plain(s: RepoSnapshot) {
  return { ...s, contents: [...s.contents], skipped: [...s.skipped] };
}

describe("buildSnapshot reusing its base's texts", () => {
  for (const [name, change] of Object.entries(changes)) {
    it(`gives exactly the full build's snapshot after ${name}, reading only what changed`, async () => {
      const baseSource = treeSource(base);
      const baseEntries = await baseSource.listFiles();
      const baseSnap = await buildSnapshot(baseSource, { reads, entries: baseEntries, cache: createMemoryRecordCache() });
      const headTree = change(base);
      const full = await buildSnapshot(treeSource(headTree), { reads, cache: createMemoryRecordCache() });
      const headSource = treeSource(headTree);
      const incremental = await buildSnapshot(headSource, { reads, cache: createMemoryRecordCache(), reuse: { entries: baseEntries, snapshot: baseSnap } });
      expect(plain(incremental)).toEqual(plain(full));
      const changed = Object.keys(headTree).filter((p) => !(p in base) || gitBlobSha(Buffer.from(headTree[p]!)) !== gitBlobSha(Buffer.from(base[p]!)));
      expect(headSource.read.sort()).toEqual(changed.filter((p) => !p.endsWith(".png")).sort());
      // Where the file list and resolution's inputs are unchanged, edges out of reach of the
      // change are the base's own objects (and still equal to the full build's, above).
      const baseEdges = new Set(baseSnap.imports);
      const shared = incremental.imports.filter((e) => baseEdges.has(e)).length;
      if (keepsEdges.has(name)) expect(shared).toBeGreaterThan(0);
      else expect(shared).toBe(0);
    });
  }

  it("keeps no edge when an answer depended on question order (an extends loop)", async () => {
    const looped: Tree = { ...base, "tsconfig.json": JSON.stringify({ extends: "./tsconfig.b.json", compilerOptions: { baseUrl: "." } }), "tsconfig.b.json": JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { paths: { "@app/*": ["src/*"] } } }) };
    const baseEntries = await treeSource(looped).listFiles();
    const baseSnap = await buildSnapshot(treeSource(looped), { reads, entries: baseEntries });
    const head = changes["modify a file"]!(looped);
    const incremental = await buildSnapshot(treeSource(head), { reads, reuse: { entries: baseEntries, snapshot: baseSnap } });
    const baseEdges = new Set(baseSnap.imports);
    expect(incremental.imports.filter((e) => baseEdges.has(e))).toEqual([]);
    expect(plain(incremental)).toEqual(plain(await buildSnapshot(treeSource(head), { reads })));
  });

  it("reads again a file its base could not read", async () => {
    const baseEntries = await treeSource(base).listFiles();
    const failing: FileSource = { ...treeSource(base), readFiles: async (paths) => new Map(paths.map((p) => [p, p === "src/db.ts" ? new Error("flaky") : Buffer.from(base[p] as string)])) };
    const baseSnap = await buildSnapshot(failing, { reads, entries: baseEntries });
    expect(baseSnap.skipped.get("src/db.ts")).toBe("unreadable");
    const head = treeSource(base);
    const incremental = await buildSnapshot(head, { reads, reuse: { entries: baseEntries, snapshot: baseSnap } });
    expect(head.read).toEqual(["src/db.ts"]);
    expect(plain(incremental)).toEqual(plain(await buildSnapshot(treeSource(base), { reads })));
  });

  it("takes nothing from a base built without texts", async () => {
    const baseEntries = await treeSource(base).listFiles();
    const treeOnly = await buildSnapshot(treeSource(base), { reads: new Set<Read>(["tree"]), entries: baseEntries });
    const head = treeSource(base);
    await buildSnapshot(head, { reads, reuse: { entries: baseEntries, snapshot: treeOnly } });
    expect(head.read.length).toBe(Object.keys(base).length - 1);
  });
});
