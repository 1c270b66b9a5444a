import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ImportEdge } from "../../src/core/snapshot.js";
import { diskRecordCache } from "../../src/snapshot/disk-record-cache.js";
import { EXTRACTOR_VERSION, extractModuleRecord, isSourcePath } from "../../src/snapshot/extract-imports.js";
import { buildImportGraph, buildImportGraphAsync } from "../../src/snapshot/import-graph.js";
import { createParsePool } from "../../src/snapshot/parse-pool.js";
import { createMemoryRecordCache, recordKey } from "../../src/snapshot/record-cache.js";
import { decodeRecord, encodeRecord } from "../../src/snapshot/record-codec.js";

function graphOf(repo: Record<string, string>) {
  const files = Object.keys(repo).sort();
  return buildImportGraph({ files, contents: new Map(Object.entries(repo)) });
}

/** `from line:col syntax [type] specifier -> target [via a>b]`, one line per edge: easy to read in a failing diff. */
function show(edges: readonly ImportEdge[]): string[] {
  return edges.map((e) => {
    const t = e.target.type === "file" ? e.target.path : e.target.type === "unresolved" ? "?" : `${e.target.type}:${e.target.name}`;
    return `${e.from} ${e.line}:${e.column} ${e.syntax}${e.typeOnly ? " type" : ""} ${e.specifier} -> ${t}${e.via.length ? ` via ${e.via.join(">")}` : ""}`;
  });
}

describe("extractModuleRecord", () => {
  it("records every syntax with the 1-based position of its specifier", () => {
    const text = [
      `import a, { b } from "./a";`,
      `import type { T } from './t';`,
      `import { type U, type V } from "./uv";`,
      `import "./side";`,
      `export { x as y } from "./x";`,
      `export * from "./star";`,
      `const r = require("./r"); // require("./in-comment")`,
      `/* require("./in-block") */ const m = obj.require("./member");`,
      `import eq = require("./eq");`,
      `import type teq = require("./teq");`,
      `const d = import("./dyn"), t = import(\`./tpl\`), n = import(name), s = import(\`./\${n}\`);`,
    ].join("\n");
    const rec = extractModuleRecord("src/m.ts", text);
    expect(rec.problems).toEqual([]);
    expect(rec.specifiers.map((s) => [s.specifier, s.syntax, s.line, s.column, s.typeOnly])).toEqual([
      ["./a", "import", 1, 22, false],
      ["./t", "import", 2, 24, true],
      ["./uv", "import", 3, 32, true],
      ["./side", "import", 4, 8, false],
      ["./x", "export", 5, 24, false],
      ["./star", "export", 6, 15, false],
      ["./r", "require", 7, 19, false],
      ["./eq", "import-equals", 9, 21, false],
      ["./teq", "import-equals", 10, 27, true],
      ["./dyn", "dynamic", 11, 18, false],
      ["./tpl", "dynamic", 11, 39, false],
    ]);
    expect(rec.specifiers[0]!.bindings).toEqual([
      { name: "default", typeOnly: false },
      { name: "b", typeOnly: false },
    ]);
    expect(rec.specifiers[3]!.bindings).toEqual([]);
    expect(rec.reexports).toEqual([
      { exportName: "y", importName: "x", specifier: "./x", typeOnly: false },
      { exportName: "*", importName: "*", specifier: "./star", typeOnly: false },
    ]);
  });

  it("counts columns in UTF-16 units after non-ASCII text", () => {
    const rec = extractModuleRecord("a.ts", `// é ü 😀\nconst s = "ü"; import x from "./x";`);
    expect(rec.specifiers[0]).toMatchObject({ line: 2, column: 30 });
  });

  it("treats `import type {}` with no names as type-only and `import {}` as a value import", () => {
    const rec = extractModuleRecord("a.ts", `import type {} from "./a";\nimport {} from "./b";`);
    expect(rec.specifiers.map((s) => s.typeOnly)).toEqual([true, false]);
  });

  it("keeps local exports apart from re-exports, including a re-exported import binding", () => {
    const rec = extractModuleRecord("a.ts", [
      `import { q } from "./q";`,
      `import * as ns from "./ns";`,
      `export { q, ns };`,
      `export const k = 1;`,
      `export interface I {}`,
      `export default function f() {}`,
      `export * as all from "./all";`,
    ].join("\n"));
    expect([...rec.localExports].sort()).toEqual(["I", "default", "k"]);
    expect(rec.reexports).toEqual(expect.arrayContaining([
      { exportName: "q", importName: "q", specifier: "./q", typeOnly: false },
      { exportName: "ns", importName: "*", specifier: "./ns", typeOnly: false },
      { exportName: "all", importName: "*", specifier: "./all", typeOnly: false },
    ]));
    // `export { q }` re-uses the import's edge rather than adding a second one.
    expect(rec.specifiers.map((s) => s.specifier)).toEqual(["./q", "./ns", "./all"]);
  });

  it("parses JSX in .js files and CommonJS with a top-level return", () => {
    expect(extractModuleRecord("a.js", `import x from "./x";\nexport const v = <div/>;`).problems).toEqual([]);
    const cjs = extractModuleRecord("b.js", `if (process.env.X) return;\nconst y = require("./y");`);
    expect(cjs.problems).toEqual([]);
    expect(cjs.specifiers.map((s) => s.specifier)).toEqual(["./y"]);
  });

  it("reports a syntax error once and still recovers imports after it", () => {
    const rec = extractModuleRecord("src/bad.ts", `import { a } from "./a";\nconst = ;\nimport b from "./b";\nexport * from "./c";\nconst d = require("./d");\nimport("./e");`);
    expect(rec.problems).toHaveLength(1);
    expect(rec.problems[0]).toMatchObject({ line: 2, column: 7 });
    expect(rec.specifiers.map((s) => `${s.syntax} ${s.specifier}`)).toEqual(["import ./a", "import ./b", "export ./c", "require ./d", "dynamic ./e"]);
  });

  it("never throws, whatever the bytes", () => {
    for (const text of ["", "\u0000\u0001", "import", "export * from", "`${", "<<<<<<< HEAD\nimport a from './a';\n=======\n", "require(".repeat(5000)]) {
      expect(() => extractModuleRecord("x.ts", text)).not.toThrow();
    }
  });

  it("stays linear on a hostile require pattern", () => {
    const text = `require(  "${"a".repeat(400)}`.repeat(2000);
    const t = performance.now();
    extractModuleRecord("x.js", text);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it("produces plain JSON", () => {
    const rec = extractModuleRecord("a.ts", `import { a } from "./a"; export * from "./b"; const = ;`);
    expect(JSON.parse(JSON.stringify(rec))).toEqual(rec);
  });

  it("selects source files, leaving declarations out", () => {
    expect(["a.ts", "a.tsx", "a.mts", "a.cts", "a.js", "a.jsx", "a.mjs", "a.cjs"].every(isSourcePath)).toBe(true);
    expect(["a.d.ts", "a.d.mts", "a.json", "a.css", "a.vue"].some(isSourcePath)).toBe(false);
  });

  it("names the installed parser version in EXTRACTOR_VERSION, so an upgrade invalidates cached records", () => {
    const oxc = createRequire(import.meta.url)("oxc-parser/package.json") as { version: string };
    const [major, minor] = oxc.version.split(".");
    expect(EXTRACTOR_VERSION).toContain(`oxc-${major}.${minor}`);
  });
});

describe("buildImportGraph", () => {
  it("resolves edges and skips declaration files, node_modules and unread files", () => {
    const g = graphOf({
      "src/a.ts": `import { b } from "./b.js";\nimport type { D } from "./types";\nimport fs from "fs";\nimport z from "zod";\nimport "./missing";`,
      "src/b.ts": `export const b = 1;`,
      "src/types.d.ts": `import "./never-an-edge";\nexport interface D {}`,
      "node_modules/zod/index.js": `require("./x");`,
    });
    expect(show(g.edges)).toEqual([
      "src/a.ts 1:19 import ./b.js -> src/b.ts",
      "src/a.ts 2:24 import type ./types -> src/types.d.ts",
      "src/a.ts 3:16 import fs -> builtin:node:fs",
      "src/a.ts 4:15 import zod -> package:zod",
      "src/a.ts 5:8 import ./missing -> ?",
    ]);
    expect(g.stats).toEqual({ parsed: 2, cached: 0 });
  });

  it("turns a syntax error into one problem and keeps the rest of the graph", () => {
    const g = graphOf({ "a.ts": `import "./b";`, "b.ts": `const = ;\nimport "./a";`, "c.ts": `import "./a";` });
    expect(g.problems).toEqual([{ path: "b.ts", line: 1, column: 7, reason: expect.any(String) }]);
    expect(show(g.edges)).toEqual(["a.ts 1:8 import ./b -> b.ts", "b.ts 2:8 import ./a -> a.ts", "c.ts 1:8 import ./a -> a.ts"]);
  });

  it("reuses cached records by blob SHA and re-resolves them against the new tree", () => {
    const cache = createMemoryRecordCache();
    const files = ["src/a.ts", "src/foo/index.ts"];
    const contents = new Map([["src/a.ts", `import "./foo";`], ["src/foo/index.ts", ""]]);
    const blobShas = new Map([["src/a.ts", "sha-a"], ["src/foo/index.ts", "sha-i"]]);
    const first = buildImportGraph({ files, contents, blobShas, cache });
    expect(first.stats).toEqual({ parsed: 2, cached: 0 });
    expect(cache.get(recordKey("sha-a"))).toBeDefined();
    // A new foo.ts beside foo/index.ts: the cached record is reused, the resolution is not.
    const second = buildImportGraph({ files: [...files, "src/foo.ts"], contents: new Map([...contents, ["src/foo.ts", ""]]), blobShas: new Map([...blobShas, ["src/foo.ts", "sha-f"]]), cache });
    expect(second.stats).toEqual({ parsed: 1, cached: 2 });
    expect(show(second.edges)).toEqual(["src/a.ts 1:8 import ./foo -> src/foo.ts"]);
  });

  it("builds the same graph asynchronously, yielding between parses", async () => {
    const repo: Record<string, string> = { "bad.ts": "const = ;\nimport './a0';" };
    for (let i = 0; i < 20; i++) repo[`a${i}.ts`] = `import { x } from "./a${(i + 1) % 20}";\nexport const x = 1;`;
    const files = Object.keys(repo).sort();
    const contents = new Map(Object.entries(repo));
    expect(await buildImportGraphAsync({ files, contents }, { concurrency: 3 })).toEqual(buildImportGraph({ files, contents }));
  });

  it("builds the same graph through a parse pool (the CLI's worker threads; here its own thread)", async () => {
    const repo: Record<string, string> = { "bad.ts": "const = ;\nimport './a0';" };
    for (let i = 0; i < 40; i++) repo[`a${i}.ts`] = `import { x } from "./a${(i + 1) % 40}";\nexport const x = 1;`;
    const files = Object.keys(repo).sort();
    const contents = new Map(Object.entries(repo));
    const pool = createParsePool(1);
    try {
      expect(await buildImportGraphAsync({ files, contents }, { pool })).toEqual(buildImportGraph({ files, contents }));
    } finally {
      pool.close();
    }
  });

  it("reports an unparsable tsconfig as a problem (its aliases stop resolving)", () => {
    const g = graphOf({ "tsconfig.json": `{ "compilerOptions": { "paths": { "@x/*": ["x/*"] } ]`, "a.ts": `import "@x/y";`, "x/y.ts": "" });
    expect(g.problems).toEqual([expect.objectContaining({ path: "tsconfig.json", line: 1 })]);
    expect(show(g.edges)).toEqual(["a.ts 1:8 import @x/y -> package:@x/y"]);
  });
});

describe("barrel following", () => {
  const lib = {
    "src/lib/index.ts": `export { Client } from "./client";\nexport { b as renamed } from "./b";\nexport * from "./nested";\nexport { Redis } from "ioredis";\nexport type { Shape } from "./shape";\nexport { default } from "./def";\nexport const own = 1;`,
    "src/lib/client.ts": `export class Client {}`,
    "src/lib/b.ts": `export const b = 1;`,
    "src/lib/nested/index.ts": `export * from "./deep";`,
    "src/lib/nested/deep.ts": `export const deep = 1;`,
    "src/lib/shape.ts": `export interface Shape {}`,
    "src/lib/def.ts": `export default 1;`,
  };

  it("follows named imports to their declaring module, listing the barrels passed", () => {
    const g = graphOf({ ...lib, "src/app.ts": `import { Client, renamed, deep, own, Redis } from "./lib";` });
    expect(show(g.edges.filter((e) => e.from === "src/app.ts"))).toEqual([
      "src/app.ts 1:51 import ./lib -> src/lib/index.ts",
      "src/app.ts 1:51 import ./lib -> src/lib/client.ts via src/lib/index.ts",
      "src/app.ts 1:51 import ./lib -> src/lib/b.ts via src/lib/index.ts",
      "src/app.ts 1:51 import ./lib -> src/lib/nested/deep.ts via src/lib/index.ts>src/lib/nested/index.ts",
      "src/app.ts 1:51 import ./lib -> package:ioredis via src/lib/index.ts",
    ]);
  });

  it("follows default exports only when the barrel re-exports `default` explicitly", () => {
    const g = graphOf({ ...lib, "src/app.ts": `import d from "./lib";\nimport n from "./lib/nested";` });
    expect(show(g.edges.filter((e) => e.from === "src/app.ts"))).toEqual([
      "src/app.ts 1:15 import ./lib -> src/lib/index.ts",
      "src/app.ts 1:15 import ./lib -> src/lib/def.ts via src/lib/index.ts",
      "src/app.ts 2:15 import ./lib/nested -> src/lib/nested/index.ts",
    ]);
  });

  it("gives a namespace import (and require, import()) an edge to every declaring module behind the barrel", () => {
    const g = graphOf({ ...lib, "src/app.ts": `import * as lib from "./lib";` });
    expect(show(g.edges.filter((e) => e.from === "src/app.ts")).sort()).toEqual([
      "src/app.ts 1:22 import ./lib -> package:ioredis via src/lib/index.ts",
      "src/app.ts 1:22 import ./lib -> src/lib/b.ts via src/lib/index.ts",
      "src/app.ts 1:22 import ./lib -> src/lib/client.ts via src/lib/index.ts",
      "src/app.ts 1:22 import ./lib -> src/lib/def.ts via src/lib/index.ts",
      "src/app.ts 1:22 import ./lib -> src/lib/index.ts",
      "src/app.ts 1:22 import ./lib -> src/lib/nested/deep.ts via src/lib/index.ts>src/lib/nested/index.ts",
      "src/app.ts 1:22 import type ./lib -> src/lib/shape.ts via src/lib/index.ts",
    ]);
    const req = graphOf({ ...lib, "src/app.js": `const { Redis } = require("./lib");` });
    expect(show(req.edges.filter((e) => e.from === "src/app.js"))).toContain("src/app.js 1:27 require ./lib -> package:ioredis via src/lib/index.ts");
  });

  it("follows `export {x} from` in the importing file and an imported-then-exported binding", () => {
    const g = graphOf({
      ...lib,
      "src/re.ts": `export { Client } from "./lib";`,
      "src/re2.ts": `import { Client } from "./lib";\nexport { Client };`,
      "src/use.ts": `import { Client } from "./re2";`,
    });
    expect(show(g.edges.filter((e) => e.from !== "src/app.ts" && !e.from.startsWith("src/lib")))).toEqual([
      "src/re.ts 1:24 export ./lib -> src/lib/index.ts",
      "src/re.ts 1:24 export ./lib -> src/lib/client.ts via src/lib/index.ts",
      "src/re2.ts 1:24 import ./lib -> src/lib/index.ts",
      "src/re2.ts 1:24 import ./lib -> src/lib/client.ts via src/lib/index.ts",
      "src/use.ts 1:24 import ./re2 -> src/re2.ts",
      "src/use.ts 1:24 import ./re2 -> src/lib/client.ts via src/re2.ts>src/lib/index.ts",
    ]);
  });

  it("marks a barrel edge type-only when the binding or a link of the chain is type-only", () => {
    const g = graphOf({ ...lib, "src/app.ts": `import { type Client, Shape } from "./lib";` });
    expect(show(g.edges.filter((e) => e.from === "src/app.ts"))).toEqual([
      "src/app.ts 1:36 import ./lib -> src/lib/index.ts",
      "src/app.ts 1:36 import type ./lib -> src/lib/client.ts via src/lib/index.ts",
      "src/app.ts 1:36 import type ./lib -> src/lib/shape.ts via src/lib/index.ts",
    ]);
  });

  it("is cycle-safe when barrels re-export each other", () => {
    const g = graphOf({
      "a/index.ts": `export * from "../b";\nexport const a = 1;`,
      "b/index.ts": `export * from "../a";\nexport { x } from "../a";`,
      "app.ts": `import { x, nothing } from "./a";\nimport * as all from "./b";`,
    });
    expect(show(g.edges.filter((e) => e.from === "app.ts"))).toEqual([
      "app.ts 1:28 import ./a -> a/index.ts",
      "app.ts 2:22 import ./b -> b/index.ts",
      "app.ts 2:22 import ./b -> a/index.ts via b/index.ts",
    ]);
  });

  it("caps the depth of a barrel chain", () => {
    const repo: Record<string, string> = { "app.ts": `import { leaf } from "./b0";`, "leaf.ts": `export const leaf = 1;` };
    for (let i = 0; i < 40; i++) repo[`b${i}.ts`] = i === 39 ? `export { leaf } from "./leaf";` : `export * from "./b${i + 1}";`;
    const g = graphOf(repo);
    const derived = g.edges.filter((e) => e.from === "app.ts" && e.via.length > 0);
    expect(derived.every((e) => e.via.length <= 17)).toBe(true);
  });
});

describe("record codec", () => {
  it("round-trips every field, type-only bindings and problems included", () => {
    const rec = extractModuleRecord("a.ts", `import { type A, b } from "./a";\nexport * from "./c";\nexport { d as e } from "./d";\nexport const f = 1;\nconst = ;`);
    expect(rec.problems).toHaveLength(1);
    expect(decodeRecord(JSON.parse(JSON.stringify(encodeRecord(rec))))).toEqual(rec);
  });

  it.each([null, 1, "x", [], [[], [], [], {}], [[["./a", 9, 1, 1, 0, []]], [], [], []], [[["./a", 0, 0, 1, 0, []]], [], [], []], [[["./a", 0, 1, 1, 0, ["!"]]], [], [], []], [[], [1], [], []]])(
    "decodes %j to null",
    (bad) => {
      expect(decodeRecord(bad)).toBeNull();
    },
  );
});

describe("diskRecordCache", () => {
  const record = extractModuleRecord("a.ts", `import { a } from "./a";`);

  it("round-trips records through an atomic write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plumbline-cache-"));
    const file = join(dir, "plumbline", "records.ndjson");
    const cache = await diskRecordCache(file);
    expect(cache.size).toBe(0);
    cache.set("k1", record);
    await cache.flush();
    expect(readdirSync(join(dir, "plumbline"))).toEqual(["records.ndjson"]);
    const again = await diskRecordCache(file);
    expect(again.get("k1")).toEqual(record);
  });

  it("starts empty on a corrupt file and drops lines that are not records", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plumbline-cache-"));
    const garbage = join(dir, "garbage.ndjson");
    writeFileSync(garbage, "\u0000not json at all{{{");
    expect((await diskRecordCache(garbage)).size).toBe(0);

    const file = join(dir, "records.ndjson");
    const cache = await diskRecordCache(file);
    cache.set("good", record);
    await cache.flush();
    const lines = readFileSync(file, "utf8").split("\n");
    const tampered = [lines[0], lines[1], `["bad", {"specifiers": "nope"}]`, `["torn", {"specifi`, ""].join("\n");
    writeFileSync(file, tampered);
    const reloaded = await diskRecordCache(file);
    expect(reloaded.size).toBe(1);
    expect(reloaded.get("good")).toEqual(record);
    expect(reloaded.get("bad")).toBeUndefined();
  });

  it("keeps the most recently used entries when over its cap", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plumbline-cache-"));
    const file = join(dir, "records.ndjson");
    const cache = await diskRecordCache(file, { maxEntries: 2 });
    cache.set("a", record);
    cache.set("b", record);
    cache.get("a");
    cache.set("c", record);
    await cache.flush();
    const again = await diskRecordCache(file, { maxEntries: 2 });
    expect([again.get("a"), again.get("b"), again.get("c")].map(Boolean)).toEqual([true, false, true]);
  });
});
