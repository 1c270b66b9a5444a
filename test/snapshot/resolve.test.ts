import { describe, expect, it } from "vitest";
import type { ImportTarget } from "../../src/core/snapshot.js";
import { parseJsonc } from "../../src/snapshot/parse-jsonc.js";
import { joinPath } from "../../src/snapshot/repo-path.js";
import { createModuleResolver } from "../../src/snapshot/resolve-module.js";

function resolverOf(repo: Record<string, string>) {
  return createModuleResolver({ files: Object.keys(repo).sort(), contents: new Map(Object.entries(repo)) });
}

/** Compact target notation for tables: a path, `pkg:name`, `node:x`, or `?`. */
function short(t: ImportTarget): string {
  return t.type === "file" ? t.path : t.type === "package" ? `pkg:${t.name}` : t.type === "builtin" ? t.name : "?";
}

function table(repo: Record<string, string>, rows: Array<[from: string, specifier: string, expected: string]>): void {
  const r = resolverOf(repo);
  expect(rows.map(([from, spec]) => `${from} ${spec} -> ${short(r.resolve(from, spec))}`)).toEqual(rows.map(([from, spec, want]) => `${from} ${spec} -> ${want}`));
}

describe("relative specifiers", () => {
  it.each<[string, string, string]>([
    ["src/a.ts", "./b", "src/b.ts"],
    ["src/a.ts", "./b.js", "src/b.ts"],
    ["src/a.ts", "./c.js", "src/c.tsx"],
    ["src/a.ts", "./d.mjs", "src/d.mts"],
    ["src/a.ts", "./e.cjs", "src/e.cts"],
    ["src/a.ts", "./only-js.js", "src/only-js.js"],
    ["src/a.ts", "./only-js", "src/only-js.js"],
    ["src/a.ts", "./decl", "src/decl.d.ts"],
    ["src/a.ts", "./both", "src/both.ts"],
    ["src/a.ts", "./dir", "src/dir/index.ts"],
    ["src/a.ts", "./dir/index.js", "src/dir/index.ts"],
    ["src/a.ts", "./foo", "src/foo.ts"],
    ["src/a.ts", "../README.md", "README.md"],
    ["src/a.ts", "./data.json", "src/data.json"],
    ["src/a.ts", "./icon.svg?raw", "src/icon.svg"],
    ["src/a.ts", "./x.service", "src/x.service.ts"],
    ["src/a.ts", "./noext", "?"],
    ["src/a.ts", "./missing", "?"],
    ["src/a.ts", "../../outside", "?"],
    ["src/deep/x.ts", "..", "src/index.js"],
    ["src/a.ts", "/src/b", "src/b.ts"],
    ["src/a.ts", "", "?"],
  ])("%s imports %s → %s", (from, spec, want) => {
    table(
      {
        "README.md": "",
        "src/b.ts": "",
        "src/c.tsx": "",
        "src/d.mts": "",
        "src/e.cts": "",
        "src/only-js.js": "",
        "src/decl.d.ts": "",
        "src/both.ts": "",
        "src/both.js": "",
        "src/dir/index.ts": "",
        "src/foo.ts": "",
        "src/foo/index.ts": "",
        "src/data.json": "{}",
        "src/icon.svg": "",
        "src/x.service.ts": "",
        "src/noext": "",
        "src/index.js": "",
      },
      [[from, spec, want]],
    );
  });

  it("is not cached across trees: a new foo.ts beside foo/index.ts changes the answer", () => {
    expect(short(resolverOf({ "a.ts": "", "foo/index.ts": "" }).resolve("a.ts", "./foo"))).toBe("foo/index.ts");
    expect(short(resolverOf({ "a.ts": "", "foo/index.ts": "", "foo.ts": "" }).resolve("a.ts", "./foo"))).toBe("foo.ts");
  });
});

describe("bare specifiers", () => {
  it("classifies builtins, packages and schemes", () => {
    table({ "a.ts": "" }, [
      ["a.ts", "fs", "node:fs"],
      ["a.ts", "node:fs", "node:fs"],
      ["a.ts", "fs/promises", "node:fs/promises"],
      ["a.ts", "node:test", "node:test"],
      ["a.ts", "lodash", "pkg:lodash"],
      ["a.ts", "lodash/fp", "pkg:lodash"],
      ["a.ts", "@octokit/rest", "pkg:@octokit/rest"],
      ["a.ts", "@octokit/rest/dist/x.js", "pkg:@octokit/rest"],
      ["a.ts", "virtual:pwa", "pkg:virtual:pwa"],
      ["a.ts", "#internal", "?"],
    ]);
  });
});

describe("tsconfig paths", () => {
  const repo = {
    "tsconfig.base.json": `{
      // comments and trailing commas are allowed
      "compilerOptions": {
        "baseUrl": ".",
        "paths": {
          "@app/*": ["src/*"],
          "@app/special": ["src/special/entry.ts"],
          "@gh/*": ["missing/*", "src/github/*",],
          "@lib": ["src/lib"],
        },
      },
    }`,
    "tsconfig.json": `{ "extends": "./tsconfig.base", "compilerOptions": { "strict": true } }`,
    "src/a.ts": "",
    "src/util.ts": "",
    "src/special/entry.ts": "",
    "src/github/client.ts": "",
    "src/lib/index.ts": "",
    "packages/web/tsconfig.json": `{ "extends": "../../tsconfig.base.json", "compilerOptions": { "paths": { "~/*": ["./src/*"] } } }`,
    "packages/web/src/page.ts": "",
    "packages/web/src/view.ts": "",
    "src/view.ts": "",
    "tools/jsconfig.json": `{ "compilerOptions": { "baseUrl": "lib" } }`,
    "tools/lib/helper.js": "",
    "tools/run.js": "",
  };

  it("maps aliases through an extends chain, with TypeScript's precedence", () => {
    table(repo, [
      ["src/a.ts", "@app/util", "src/util.ts"],
      ["src/a.ts", "@app/special", "src/special/entry.ts"],
      ["src/a.ts", "@gh/client", "src/github/client.ts"],
      ["src/a.ts", "@lib", "src/lib/index.ts"],
      ["src/a.ts", "src/util", "src/util.ts"],
      ["src/a.ts", "@app/nope", "pkg:@app/nope"],
      ["src/a.ts", "react", "pkg:react"],
    ]);
  });

  it("uses the nearest config per file; paths in a child are rooted at the inherited baseUrl", () => {
    table(repo, [
      // `paths` replaces the inherited map, and its targets are rooted at the inherited baseUrl.
      ["packages/web/src/page.ts", "~/view", "src/view.ts"],
      ["packages/web/src/page.ts", "@app/util", "pkg:@app/util"],
      ["packages/web/src/page.ts", "src/util", "src/util.ts"],
      ["tools/run.js", "helper", "tools/lib/helper.js"],
    ]);
  });

  it("roots paths at the declaring config when no baseUrl is set", () => {
    table(
      {
        "tsconfig.json": `{ "compilerOptions": { "paths": { "~/*": ["./src/*"] } } }`,
        "web/tsconfig.json": `{ "extends": "../tsconfig.json" }`,
        "src/x.ts": "",
        "web/page.ts": "",
      },
      [["web/page.ts", "~/x", "src/x.ts"]],
    );
  });

  it("follows a solution-style tsconfig to the referenced app config", () => {
    table(
      {
        "tsconfig.json": `{ "files": [], "references": [{ "path": "./tsconfig.node.json" }, { "path": "./tsconfig.app.json" }] }`,
        "tsconfig.node.json": `{ "compilerOptions": { "strict": true } }`,
        "tsconfig.app.json": `{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }`,
        "src/main.ts": "",
        "src/ui/button.tsx": "",
      },
      [["src/main.ts", "@/ui/button", "src/ui/button.tsx"]],
    );
  });

  it("survives extends cycles and configs that are not objects", () => {
    table(
      {
        "tsconfig.json": `{ "extends": "./b.json", "compilerOptions": { "paths": { "@x": ["x.ts"] } } }`,
        "b.json": `{ "extends": "./tsconfig.json" }`,
        "x.ts": "",
        "a.ts": "",
        "sub/tsconfig.json": `[1, 2]`,
        "sub/a.ts": "",
      },
      [
        ["a.ts", "@x", "x.ts"],
        ["sub/a.ts", "@x", "pkg:@x"],
      ],
    );
  });

  it("reports configs it cannot parse", () => {
    const r = resolverOf({ "tsconfig.json": `{\n  "compilerOptions": {\n    "paths": {}\n  }\n  "oops": 1\n}`, "a.ts": "" });
    r.resolve("a.ts", "@x/y");
    expect(r.problems()).toEqual([expect.objectContaining({ path: "tsconfig.json", line: 5, reason: expect.stringContaining("invalid tsconfig JSON") })]);
  });
});

describe("workspace packages", () => {
  const repo = {
    "package.json": `{ "name": "root", "private": true, "imports": { "#db": "./src/db/index.ts", "#cfg/*": "./config/*.js", "#dep": "lodash" } }`,
    "src/db/index.ts": "",
    "config/app.ts": "",
    "src/app.ts": "",
    "packages/str/package.json": `{ "name": "@acme/str", "exports": "./dist/index.js" }`,
    "packages/str/src/index.ts": "",
    "packages/obj/package.json": JSON.stringify({
      name: "@acme/obj",
      exports: {
        ".": { types: "./dist/index.d.ts", import: "./dist/esm/index.mjs", require: "./dist/cjs/index.cjs" },
        "./feature": { import: "./src/feature.ts" },
        "./utils/*": "./src/utils/*.ts",
        "./package.json": "./package.json",
      },
    }),
    "packages/obj/src/index.ts": "",
    "packages/obj/src/feature.ts": "",
    "packages/obj/src/utils/str.ts": "",
    "packages/main/package.json": `{ "name": "main-pkg", "main": "lib/index.js", "types": "lib/index.d.ts" }`,
    "packages/main/lib/index.js": "",
    "packages/main/lib/deep/x.js": "",
    "packages/none/package.json": `{ "name": "no-entry" }`,
    "packages/none/index.ts": "",
    "packages/ghost/package.json": `{ "name": "ghost", "main": "dist/index.js" }`,
    "packages/typed/package.json": `{ "name": "typed", "types": "index.d.ts" }`,
    "packages/typed/index.d.ts": "",
    "node_modules/zod/package.json": `{ "name": "zod", "main": "index.js" }`,
    "node_modules/zod/index.js": "",
  };

  it.each<[string, string]>([
    ["@acme/str", "packages/str/src/index.ts"],
    ["@acme/obj", "packages/obj/src/index.ts"],
    ["@acme/obj/feature", "packages/obj/src/feature.ts"],
    ["@acme/obj/utils/str", "packages/obj/src/utils/str.ts"],
    ["main-pkg", "packages/main/lib/index.js"],
    ["main-pkg/lib/deep/x", "packages/main/lib/deep/x.js"],
    ["no-entry", "packages/none/index.ts"],
    ["ghost", "pkg:ghost"],
    ["typed", "packages/typed/index.d.ts"],
    ["zod", "pkg:zod"],
    ["#db", "src/db/index.ts"],
    ["#cfg/app", "config/app.ts"],
    ["#dep", "pkg:lodash"],
    ["#nope", "?"],
  ])("%s → %s", (spec, want) => {
    table(repo, [["src/app.ts", spec, want]]);
  });
});

describe("helpers", () => {
  it("joinPath normalises and refuses to leave the repository", () => {
    expect([joinPath("a/b", "./c"), joinPath("a/b", "../../c"), joinPath("a", "./x/../y"), joinPath("a/b", "../../../c"), joinPath("", "..")]).toEqual(["a/b/c", "c", "a/y", null, null]);
  });

  it("parseJsonc keeps comment markers inside strings", () => {
    expect(parseJsonc(`{ "a": "http://x/*y*/", // c\n "b": [1, /* x */ ], }`)).toEqual({ ok: true, value: { a: "http://x/*y*/", b: [1] } });
    expect(parseJsonc(`{ "a": 1 /* open`)).toMatchObject({ ok: false });
  });
});
