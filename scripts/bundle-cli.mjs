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
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const EXTERNAL = ["oxc-parser", "oxc-transform", "re2-wasm", "probot", "bullmq", "ioredis", "pino", "tar", "ts-morph"];

rmSync(`${root}dist/bundle`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // parse-worker runs in worker threads, loaded by URL next to the chunk that starts them.
  entryPoints: { main: "dist/cli/main.js", "parse-worker": "dist/snapshot/parse-worker.js" },
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
    {
      // zod's namespace export `locales` keeps all of its ~60 error-message translations (340 KB
      // of the 600 KB zod chunk) in every command that validates; Plumbline reports in English
      // only (zod's default), so the namespace holds `en` alone.
      name: "zod-english-only",
      setup(b) {
        b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
          args.importer.includes(`${"node_modules"}/zod/`) ? { path: "zod-locales-en", namespace: "zod-english-only", pluginData: args.resolveDir } : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({ contents: 'export { default as en } from "./en.js";', resolveDir: `${args.pluginData}/../locales`, loader: "js" }));
      },
    },
    {
      name: "keep-hook-protocol",
      setup(b) {
        b.onResolve({ filter: /(^|\/)hook-protocol\.js$/ }, () => ({ path: "../hooks/hook-protocol.js", external: true }));
      },
    },
  ],
  logLevel: "warning",
});
