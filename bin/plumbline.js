#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through `prepare`).
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";

/**
 * A one-shot check lives ~0.3 s on 1k files. With V8's default budget (66 KiB of bytecode run
 * before a function is considered for optimisation) TurboFan compiled hundreds of functions that
 * run a few times (schema set-up, YAML, resolver paths), ~135 ms of CPU on V8's background
 * threads, which on 2 cores took it from the parse threads (perf, one cold run). Four times the
 * budget still optimises what runs hot for long (the scanner, the resolver's probes). Measured
 * on the 1k benchmark, 12 interleaved cold runs each: median 329 → ~296 ms wall, CPU 525 →
 * ~455 ms. A tiering heuristic only: no flag that changes what is computed or how memory is
 * managed is set at run time (Node warns that some are unsafe after start-up).
 */
const CHECK_V8_FLAGS = "--interrupt-budget=262144";

// `npm run build` also bundles dist/cli into dist/bundle/ (scripts/bundle-cli.mjs), which
// imports in half the time. A build that ran tsc alone (the reliability rig does) leaves the
// bundle older than dist/cli/main.js; then the bundle is stale and dist/cli runs instead.
const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const args = process.argv.slice(2);
const cliBuilt = mtime("../dist/cli/main.js");

const esmMain = async () => (await (mtime("../dist/bundle/main.js") >= cliBuilt ? import("../dist/bundle/main.js") : import("../dist/cli/main.js"))).main;
let main = null;
if (args[0] === "check" && mtime("../dist/bundle/check.cjs") >= cliBuilt) {
  // Before the bundle: git answers HEAD's questions on another core while this one loads it.
  const prefetch = await import("../dist/cli/head-prefetch.js").then((m) => m.prefetchHead(args.slice(1), process.cwd()), () => null);
  try {
    const check = checkWithCodeCache(fileURLToPath(new URL("../dist/bundle/check.cjs", import.meta.url)));
    main = (argv) => check(argv.slice(1), prefetch);
  } catch (err) {
    prefetch?.dispose();
    // A bundle that does not load (a half-written build) is only slower: the ES modules run the same check.
    if (process.env.PLUMBLINE_DEBUG_CODE_CACHE === "1") process.stderr.write(`plumbline: check bundle not loaded (${err?.message ?? err}); running dist/ modules\n`);
  }
}
main ??= await esmMain();

main(args).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`plumbline: internal error: ${err?.stack ?? err}\n`); process.exitCode = 2; },
);

/**
 * `check` from one CommonJS bundle, compiled with V8's code cache (Node 20 has no compile cache
 * for ES modules; vm.Script takes cached data). The cache file starts with the SHA-256 of the
 * bundle it was made from: V8 itself checks little more than the source's length, so a cache is
 * only offered for the exact bytes it came from, and V8 may still reject it (another Node, other
 * flags), which only means compiling as usual. The build writes the cache (scripts/bundle-cli.mjs
 * sets PLUMBLINE_WRITE_CODE_CACHE while it runs a check); a run never writes it otherwise.
 */
function checkWithCodeCache(file) {
  // Before compiling: V8's code cache records a hash of the flags it was made under, and the
  // build makes it through this same function, so the two agree (see CHECK_V8_FLAGS).
  v8.setFlagsFromString(CHECK_V8_FLAGS);
  const cacheFile = `${file}.cache`;
  const source = readFileSync(file, "utf8");
  const digest = createHash("sha256").update(source).digest();
  let cachedData;
  try {
    const cache = readFileSync(cacheFile);
    if (cache.subarray(0, digest.length).equals(digest)) cachedData = cache.subarray(digest.length);
  } catch {
    // no cache: compile
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (process.env.PLUMBLINE_DEBUG_CODE_CACHE === "1") process.stderr.write(`plumbline: code cache ${cachedData === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "accepted"} (V8 flags: ${CHECK_V8_FLAGS})\n`);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return async (argv, prefetch) => {
    const code = await module.exports.checkMain(argv, undefined, prefetch);
    if (process.env.PLUMBLINE_WRITE_CODE_CACHE === "1") {
      // After the run: the cache then holds every function the check compiled, not only the top level.
      const temp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temp, Buffer.concat([digest, script.createCachedData()]));
      renameSync(temp, cacheFile);
    }
    return code;
  };
}
