import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { git } from "./git.js";

/**
 * Where the measured programs live, and whether they can run. Every measured command is a
 * plain `node <script>`: going through `npx` would add npm's own start-up (hundreds of ms
 * and a second Node process) to whichever tool it wraps and blur the comparison.
 */

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** dependency-cruiser's `depcruise` bin, resolved from this project's devDependency. */
export const DEPCRUISE_BIN = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
/** PLUMBLINE_BENCH_CLI points at another build's bin/plumbline.js (e.g. a branch built elsewhere). */
export const PLUMBLINE_BIN = process.env["PLUMBLINE_BENCH_CLI"] ? resolve(process.env["PLUMBLINE_BENCH_CLI"]) : join(ROOT, "bin/plumbline.js");
export const FLOOR_SCRIPT = join(ROOT, "bench/floor.mjs");

/** Null when the CLI can run; otherwise why not (it is compiled to dist/ by `npm run build`). */
export function plumblineUnavailable(): string | null {
  if (!existsSync(PLUMBLINE_BIN)) return `${PLUMBLINE_BIN} missing`;
  if (!existsSync(join(dirname(PLUMBLINE_BIN), "../dist/cli/main.js"))) return "dist/cli/main.js not built; run `npm run build`";
  return null;
}

export function depcruiseVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(DEPCRUISE_BIN, "../../package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

export function depcruiseUnavailable(): string | null {
  return existsSync(DEPCRUISE_BIN) ? null : "dependency-cruiser not installed; run `npm ci`";
}

/** The CLI keeps its per-blob record cache under `<gitdir>/plumbline/`; removing it makes the next run cold. */
export function plumblineCacheDir(repoDir: string): string {
  return join(git(repoDir, ["rev-parse", "--absolute-git-dir"]).trim(), "plumbline");
}
