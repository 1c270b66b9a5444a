// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/ for bin/plumbline.js.
//
// Why: Node resolves, reads and compiles each ES module separately; the ~300 modules behind
// `plumbline check` (ours, zod, yaml, semver, picomatch) took ~280 ms to import, about half of
// a cold check on 1k files. One file per command (code splitting keeps `serve` out of `check`)
// imports in about half that. tsc's dist/ stays as it is: the tests and the reliability rig use it.
//
// Kept external (loaded from node_modules as before):
// - native or WebAssembly packages, which locate their binaries relative to their own files;
// - the GitHub App's server stack, which `check` never loads and which gains nothing here.
// zod and the MCP SDK are both bundled, so the SDK sees the same zod instance as our schemas.
// dist/hooks/hook-protocol.js stays a file of its own: its mtime is the build id a hook server
// and its clients compare, and a client of either layout (the tests drive servers through
// dist/hooks/) must compute the same one.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const EXTERNAL = ["oxc-parser", "oxc-transform", "re2-wasm", "probot", "bullmq", "ioredis", "pino", "tar", "ts-morph"];

/**
 * zod's namespace export `locales` keeps all of its ~60 error-message translations (340 KB of
 * the 600 KB zod chunk) in every command that validates; Plumbline reports in English only
 * (zod's default), so the namespace holds `en` alone.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("node_modules/zod/") ? { path: "zod-locales-en", namespace: "zod-english-only", pluginData: args.resolveDir } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({ contents: 'export { default as en } from "./en.js";', resolveDir: `${args.pluginData}/../locales`, loader: "js" }));
  },
};

rmSync(`${root}dist/bundle`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // parse-worker and verdict-worker run in worker threads, loaded by URL next to the chunk that starts them.
  entryPoints: { main: "dist/cli/main.js", "parse-worker": "dist/snapshot/parse-worker.js", "verdict-worker": "dist/snapshot/verdict-worker.js" },
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Whitespace only: identifiers and syntax stay readable in a stack trace, and V8 pre-parses less.
  minifyWhitespace: true,
  external: EXTERNAL.flatMap((p) => [p, `${p}/*`]),
  // Bundled CommonJS (yaml, semver) calls require() for Node built-ins; ESM has no require of its own.
  banner: { js: 'import { createRequire as __plumblineRequire } from "node:module"; const require = __plumblineRequire(import.meta.url);' },
  plugins: [
    zodEnglishOnly,
    {
      name: "keep-hook-protocol",
      setup(b) {
        b.onResolve({ filter: /(^|\/)hook-protocol\.js$/ }, () => ({ path: "../hooks/hook-protocol.js", external: true }));
      },
    },
  ],
  logLevel: "warning",
});

// `plumbline check` once more, as one CommonJS file: Node 20 loads CommonJS through vm.Script,
// which takes V8's compiled-code cache (ES modules cannot), and bin/plumbline.js runs `check`
// from it. Compiling the ~700 KB `check` needs took ~130 ms of a 1k-file cold check; with the
// cache it deserialises instead. Everything else (serve, hooks, mcp) stays on the ESM bundle.
await build({
  absWorkingDir: root,
  entryPoints: { check: "dist/cli/check-entry.js" },
  outdir: "dist/bundle",
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minifyWhitespace: true,
  external: EXTERNAL.flatMap((p) => [p, `${p}/*`]),
  // One file in dist/bundle/, like the ESM chunks: URLs relative to the module resolve the same.
  define: { "import.meta.url": "__plumblineModuleUrl" },
  banner: { js: 'var __plumblineModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [zodEnglishOnly],
  logLevel: "warning",
});
trainCodeCache();

/**
 * The cache holds what V8 compiled while a real check ran (the scanner, resolver and kinds
 * compile lazily, on first call), so the launcher runs a check on a small repository with
 * PLUMBLINE_WRITE_CODE_CACHE set and writes dist/bundle/check.cjs.cache. Without the cache the
 * launcher just compiles: a failure here is a warning, not a broken build.
 */
function trainCodeCache() {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-train-"));
  try {
    const files = {
      "package.json": JSON.stringify({ name: "train", dependencies: { leftpad: "1.0.0" } }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@core/*": ["src/core/*"] } } }),
      "invariants/architecture.yml": [
        "version: 1",
        "invariants:",
        "  - id: core-is-pure",
        "    kind: import-boundary",
        "    why: the core stays free of adapters",
        "    owner: team",
        "    enforcement: block",
        '    from: ["src/core/**"]',
        '    forbid: ["src/adapters/**"]',
        "    cycles: forbid",
        "  - id: no-leftpad",
        "    kind: forbidden-dependency",
        "    why: trivial packages are a supply-chain risk",
        "    owner: team",
        "    enforcement: warn",
        '    packages: ["leftpad"]',
        "  - id: no-debugger",
        "    kind: content",
        "    why: no debugger statements",
        "    owner: team",
        "    enforcement: warn",
        '    files: ["src/**"]',
        "    forbid: 'debugger;'",
        "",
      ].join("\n"),
      "src/core/index.ts": 'export * from "./model";\nexport { load } from "@core/load";\n',
      "src/core/model.ts": 'import type { Row } from "./load";\nexport interface Model { rows: Row[] }\nexport const empty: Model = { rows: [] };\n',
      "src/core/load.ts": 'import { save } from "../adapters/db.js";\nexport type Row = { id: string };\nexport async function load(): Promise<Row[]> { const m = await import("./model"); return save(m.empty.rows); }\n',
      "src/adapters/db.ts": 'const pad = require("leftpad");\nexport function save<T>(rows: T[]): T[] { return rows.map((r) => pad(r)); }\n',
      "src/ui/App.tsx": 'import React from "react";\nimport { empty } from "@core/index";\nexport const App = () => <ul>{empty.rows.map((r) => <li key={r.id}>{`${r.id}`}</li>)}</ul>;\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const git = (...args) => execFileSync("git", args, { cwd: dir, stdio: "pipe", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "train");
    try {
      execFileSync(process.execPath, [join(root, "bin/plumbline.js"), "check", dir, "--no-cache", "--format", "json"], { stdio: "pipe", env: { ...process.env, PLUMBLINE_WRITE_CODE_CACHE: "1" } });
    } catch (err) {
      // Exit 1 is a blocking finding: the training repository has one on purpose.
      if (err.status !== 1) throw err;
    }
  } catch (err) {
    process.stderr.write(`bundle-cli: no code cache for \`plumbline check\` (it will compile on each run): ${err.message}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
