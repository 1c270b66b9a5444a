import { describe, expect, it } from "vitest";
import type { ImportEdge } from "../../src/core/snapshot.js";
import { extractDependencies } from "../../src/snapshot/dependencies.js";

const edge = (from: string, line: number, target: ImportEdge["target"], specifier = "x"): ImportEdge => ({
  from,
  line,
  column: 1,
  specifier,
  syntax: "import",
  typeOnly: false,
  target,
  via: [],
});

describe("extractDependencies", () => {
  it("parses every manifest and lockfile by basename, workspaces included, node_modules excluded", () => {
    const contents = new Map([
      ["package.json", `{"dependencies": {"colors": "^1.4.0"}}`],
      ["packages/app/package.json", `{\n  "devDependencies": {"node-ipc": "9.2.1"}\n}`],
      ["node_modules/colors/package.json", `{"dependencies": {"evil": "1.0.0"}}`],
      ["packages/app/node_modules/x/package.json", `{"dependencies": {"evil": "1.0.0"}}`],
      ["package-lock.json", `{"lockfileVersion": 3, "packages": {"node_modules/colors": {"version": "1.4.0"}}}`],
      ["sub/npm-shrinkwrap.json", `{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}}}`],
      ["pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  b@2.0.0:\n    resolution: {integrity: x}\n"],
      ["yarn.lock", 'c@^3:\n  version "3.0.0"\n'],
      ["src/package.json.ts", "export {}"],
    ]);
    const files = [...contents.keys(), "big/package-lock.json"].sort();
    const out = extractDependencies({ files, contents, imports: [] });
    expect(out.manifests).toEqual(["package-lock.json", "package.json", "packages/app/package.json", "pnpm-lock.yaml", "sub/npm-shrinkwrap.json", "yarn.lock"]);
    expect(out.dependencies.map((d) => `${d.path}:${d.line} ${d.source} ${d.section} ${d.name}@${d.version}`)).toEqual([
      "package-lock.json:1 package-lock transitive colors@1.4.0",
      "package.json:1 manifest dependencies colors@^1.4.0",
      "packages/app/package.json:2 manifest devDependencies node-ipc@9.2.1",
      "pnpm-lock.yaml:3 pnpm-lock transitive b@2.0.0",
      "sub/npm-shrinkwrap.json:1 package-lock transitive a@1.0.0",
      "yarn.lock:1 yarn-lock locked c@3.0.0",
    ]);
    expect(out.problems).toEqual([]);
  });

  it("turns every package import into a versionless ref at the import's position", () => {
    const imports = [
      edge("src/a.ts", 3, { type: "package", name: "colors" }),
      edge("src/a.ts", 4, { type: "file", path: "src/b.ts" }),
      edge("src/a.ts", 5, { type: "builtin", name: "node:fs" }),
      edge("src/a.ts", 6, { type: "unresolved" }),
      edge("src/b.ts", 1, { type: "package", name: "@scope/pkg" }),
    ];
    const out = extractDependencies({ files: ["src/a.ts", "src/b.ts"], contents: new Map(), imports });
    expect(out.manifests).toEqual([]);
    expect(out.dependencies).toEqual([
      { name: "colors", version: null, source: "import", section: "import", path: "src/a.ts", line: 3, column: 1 },
      { name: "@scope/pkg", version: null, source: "import", section: "import", path: "src/b.ts", line: 1, column: 1 },
    ]);
  });

  it("collects each file's problems and keeps the other files' refs", () => {
    const contents = new Map([
      ["package.json", `{"dependencies": {`],
      ["apps/web/package.json", `{"dependencies": {"colors": "1.4.0"}}`],
    ]);
    const out = extractDependencies({ files: ["apps/web/package.json", "package.json"], contents, imports: [] });
    expect(out.dependencies.map((d) => d.name)).toEqual(["colors"]);
    expect(out.problems).toEqual([{ path: "package.json", line: 1, column: 19, reason: expect.stringContaining("invalid JSON") }]);
  });
});
