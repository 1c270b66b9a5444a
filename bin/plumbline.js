#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through `prepare`).
import { statSync } from "node:fs";

// `npm run build` also bundles dist/cli into dist/bundle/ (scripts/bundle-cli.mjs), which
// imports in half the time. A build that ran tsc alone (the reliability rig does) leaves the
// bundle older than dist/cli/main.js; then the bundle is stale and dist/cli runs instead.
const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime("../dist/bundle/main.js") >= mtime("../dist/cli/main.js");
const { main } = await (bundled ? import("../dist/bundle/main.js") : import("../dist/cli/main.js"));

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`plumbline: internal error: ${err?.stack ?? err}\n`); process.exitCode = 2; },
);
