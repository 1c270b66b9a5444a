import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { appLatencyReport } from "./app-latency.js";
import { auditFleetReport, DEFAULT_CONCURRENCY, DEFAULT_INSTALLATIONS } from "./audit-fleet.js";
import { generateRepo, CORE_RULE, DEPCRUISE_CONFIG } from "./generate-repo.js";
import { listTrackedFiles } from "./git.js";
import { killActiveChildren, memoryMethod } from "./measure.js";
import { prepareRealRepo } from "./real-repo.js";
import { benchmarkTarget, type BenchTarget } from "./scenarios.js";
import { renderReport } from "./table.js";
import { depcruiseVersion, PLUMBLINE_BIN } from "./tools.js";

/**
 * `npm run bench [-- [--sizes 1000,10000] [--runs 3] [--seed 1] [--timeout-min 10] [--keep] [--ack-seconds 10] [--app none] [--audit-repos 100] [REPO…]]`
 *
 * Generates synthetic repositories of the given sizes (`--sizes none` for none), benchmarks
 * each, then every REPO (in a private clone, never the original), and prints one table per
 * repository, then the GitHub App's tables: latency, and the audit of `--audit-repos` 1k-file
 * repositories (0 skips it). Temporary directories are removed unless --keep.
 */

const USAGE = "usage: npm run bench -- [--sizes 1000,10000|none] [--runs 3] [--seed 1] [--timeout-min 10] [--keep] [--ack-seconds 10] [--app all|none] [--audit-repos 100|0] [REPO…]";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sizes: { type: "string" },
    runs: { type: "string", default: "3" },
    seed: { type: "string", default: "1" },
    "timeout-min": { type: "string", default: "10" },
    keep: { type: "boolean", default: false },
    "ack-seconds": { type: "string", default: "10" },
    app: { type: "string", default: "all" },
    "audit-repos": { type: "string", default: "100" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const runs = positiveInt(values.runs!, "--runs");
const seed = positiveInt(values.seed!, "--seed");
const timeoutMs = positiveInt(values["timeout-min"]!, "--timeout-min") * 60_000;
if (values.app !== "all" && values.app !== "none") throw new Error(`--app: expected all or none, got ${values.app}`);
const auditRepos = values["audit-repos"] === "0" ? 0 : positiveInt(values["audit-repos"]!, "--audit-repos");
// REPO paths come on top of the synthetic sizes; `--sizes none` benchmarks only the paths.
const sizes = values.sizes === "none" ? [] : (values.sizes ?? "1000,10000").split(",").filter((s) => s !== "").map((s) => positiveInt(s, "--sizes"));

const scratchDirs: string[] = [];
const cleanup = (): void => {
  killActiveChildren();
  if (values.keep) return;
  for (const d of scratchDirs.splice(0)) rmSync(d, { recursive: true, force: true });
};
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

const log = (label: string) => (step: string) => process.stderr.write(`[bench] ${label}: ${step}…\n`);

try {
  process.stdout.write(`plumbline bench: node ${process.version}, ${runs} run(s) per row, peak memory by ${memoryMethod()}\n`);
  process.stdout.write(`plumbline: ${PLUMBLINE_BIN}; dependency-cruiser: ${depcruiseVersion()}\n`);
  for (const files of sizes) {
    log(`${files} files`)("generating");
    const repo = generateRepo({ files, seed });
    scratchDirs.push(repo.dir);
    const target: BenchTarget = {
      label: `synthetic ${files >= 1000 ? `${files / 1000}k` : files} (seed ${seed})`,
      dir: repo.dir,
      depcruiseConfig: DEPCRUISE_CONFIG,
      roots: repo.sourceRoots,
      sourceFiles: repo.sourceFiles,
      planted: repo.planted,
      touchFile: middleSource(repo.dir, "src/domain/"),
      ruleIds: [CORE_RULE.id],
      notes: [`${repo.imports} import statements; rule ${CORE_RULE.id}: ${CORE_RULE.from.join(",")} must not import ${CORE_RULE.forbid.join(",")}`],
    };
    await report(target);
  }
  for (const path of positionals) {
    log(path)("cloning");
    let prepared;
    try {
      prepared = prepareRealRepo(path);
    } catch (e) {
      process.stdout.write(`\n== ${path} ==\n   skipped: ${(e as Error).message}\n`);
      continue;
    }
    scratchDirs.push(prepared.scratch);
    let touchFile: string;
    try {
      touchFile = middleSource(prepared.dir, "");
    } catch (e) {
      process.stdout.write(`\n== ${path} ==\n   skipped: ${(e as Error).message}\n`);
      continue;
    }
    const target: BenchTarget = {
      label: `${prepared.label} (clone of ${path})`,
      dir: prepared.dir,
      depcruiseConfig: prepared.depcruiseConfig,
      roots: prepared.roots,
      sourceFiles: prepared.sourceFiles,
      planted: null,
      touchFile,
      ruleIds: prepared.rules.map((r) => r.id),
      notes: [
        prepared.rulesFrom === "repository"
          ? `rules: the repository's import-boundary invariants (${prepared.rules.map((r) => r.id).join(", ")})`
          : `rules: no import-boundary invariant found; generic rule ${prepared.rules[0]!.id} committed to the clone`,
        "the clone has no node_modules: npm imports stay unresolved for both tools",
      ],
    };
    await report(target);
  }
  // The GitHub App's latency (webhook ack, push → conclusion) on the same synthetic sizes; needs Redis.
  if (values.app === "all") {
    try {
      process.stdout.write(`${await appLatencyReport({ ackSeconds: positiveInt(values["ack-seconds"]!, "--ack-seconds"), rate: 200, repos: 8, sizes, runs, log: log("app") })}\n`);
    } catch (e) {
      process.stdout.write(`\n== Plumbline GitHub App latency ==\n   failed: ${(e as Error).stack ?? e}\n`);
    }
  }
  // The scheduled audit of a fleet of 1k-file repositories, cold then warm; needs Redis.
  if (auditRepos > 0) {
    try {
      process.stdout.write(`${await auditFleetReport({ repos: auditRepos, files: 1000, installations: DEFAULT_INSTALLATIONS, concurrency: DEFAULT_CONCURRENCY, seed, log: log("audit fleet") })}\n`);
    } catch (e) {
      process.stdout.write(`\n== Plumbline GitHub App: scheduled audit of ${auditRepos} repositories ==\n   failed: ${(e as Error).stack ?? e}\n`);
    }
  }
  if (values.keep) process.stdout.write(`\nkept: ${scratchDirs.join(" ")}\n`);
} finally {
  cleanup();
}

/** One repository's table; a failure is printed and the next repository still runs. */
async function report(target: BenchTarget): Promise<void> {
  try {
    process.stdout.write(`${renderReport(await benchmarkTarget(target, { runs, timeoutMs, log: log(target.label) }), runs)}\n`);
  } catch (e) {
    process.stdout.write(`\n== ${target.label} ==\n   failed: ${(e as Error).stack ?? e}\n`);
  }
}

/** A deterministic, ordinary source file to edit for the one-file-change row. */
function middleSource(dir: string, prefix: string): string {
  const candidates = listTrackedFiles(dir).filter((f) => f.startsWith(prefix) && /\.(?:[cm]?[jt]s|[jt]sx)$/.test(f) && !f.includes("node_modules/"));
  const pick = candidates[Math.floor(candidates.length / 2)];
  if (pick === undefined) throw new Error(`no source file under ${dir}/${prefix} to edit`);
  return pick;
}

function positiveInt(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`${flag} expects a positive integer, got ${JSON.stringify(s)}\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}
