import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestRepo } from "../helpers/git-repo.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * A cold `plumbline check` pays for every package it loads (the bundle exists to keep that
 * short): the GitHub App's stack must stay out of it, and with every file on the quick
 * extraction path, so must oxc-parser (it is loaded only for files the scan leaves to it), and
 * without a regex in the policy, so must re2-wasm.
 */
const hookDir = mkdtempSync(join(tmpdir(), "plumbline-load-hook-"));
const hook = join(hookDir, "log-packages.mjs");
writeFileSync(
  hook,
  `import Module, { register } from "node:module";
// import (ESM resolution hooks) …
register("data:text/javascript," + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)\\\\//.exec(r.url);
  if (m) process.stderr.write("[loaded] " + m[1] + "\\\\n");
  return r;
}\`));
// … and require, which those hooks do not see on Node 20 (oxc-parser is required lazily).
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
  if (m) process.stderr.write("[loaded] " + m[1] + "\\n");
  return file;
};
`,
);
afterAll(() => rmSync(hookDir, { recursive: true, force: true }));

const POLICY = `version: 1
invariants:
  - id: core-is-pure
    kind: import-boundary
    why: The core is evaluated everywhere.
    from: ["src/core/**"]
    forbid: ["src/adapters/**"]
`;

describe("plumbline check, cold", () => {
  it("loads neither the GitHub App's packages nor oxc-parser, and still finds the violation", () => {
    const repo = createTestRepo({
      "invariants/layers.yml": POLICY,
      "src/core/a.ts": `import { b } from "./b";\nimport type { C } from "../adapters/c";\nexport const a = b + 1;\n`,
      "src/core/b.ts": `export const b = 1;\n`,
      "src/adapters/c.ts": `import { a } from "../core/a.js";\nexport interface C { a: typeof a }\nexport const load = () => import("../core/b");\n`,
      "src/ui/view.tsx": `import { a } from "../core/a";\nexport const View = () => <div title="x">{a}</div>;\n`,
      "scripts/tool.cjs": `const fs = require("node:fs");\nmodule.exports = fs;\n`,
    });
    try {
      const out = runCli(["check", repo.dir, "--format", "json"], { env: { NODE_OPTIONS: `--import ${hook}` } });
      expect(out.code, out.stderr).toBe(1);
      expect(JSON.parse(out.stdout).conclusion).toBe("failure");
      const loaded = new Set([...out.stderr.matchAll(/^\[loaded\] (\S+)$/gm)].map((m) => m[1]));
      expect(loaded.has("oxc-transform"), `hook saw: ${[...loaded].join(", ")}`).toBe(true);
      for (const pkg of ["probot", "bullmq", "ioredis", "pino", "ts-morph", "tar", "@modelcontextprotocol/sdk", "oxc-parser", "re2-wasm"]) expect(loaded.has(pkg), pkg).toBe(false);
    } finally {
      repo.cleanup();
    }
  });

  it("does load re2-wasm once the policy has a regex", () => {
    const withRegex = `${POLICY}  - id: no-eval\n    kind: content\n    why: w\n    files: ["src/**/*.ts"]\n    forbid: '\\beval\\('\n`;
    const repo = createTestRepo({ "invariants/layers.yml": withRegex, "src/core/a.ts": `export const a = eval("1");\n` });
    try {
      const out = runCli(["check", repo.dir, "--format", "json"], { env: { NODE_OPTIONS: `--import ${hook}` } });
      expect(out.code, out.stderr).toBe(1);
      expect(out.stderr).toMatch(/^\[loaded\] re2-wasm$/m);
    } finally {
      repo.cleanup();
    }
  });

  it("does load oxc-parser for a file the quick path leaves to it (the hook above sees it)", () => {
    const repo = createTestRepo({ "invariants/layers.yml": POLICY, "src/core/a.ts": `import { b } from "./b";\nconst x = ;\n` });
    try {
      const out = runCli(["check", repo.dir, "--format", "json"], { env: { NODE_OPTIONS: `--import ${hook}` } });
      expect(out.stderr).toMatch(/^\[loaded\] oxc-parser$/m);
    } finally {
      repo.cleanup();
    }
  });
});
