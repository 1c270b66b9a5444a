import { appendFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { compareEdges, type ParityResult } from "./compare-edges.js";
import { git } from "./git.js";
import { measure, MeasureError, runOnce, type Measurement, type RunResult } from "./measure.js";
import { DEPCRUISE_BIN, depcruiseUnavailable, FLOOR_SCRIPT, PLUMBLINE_BIN, plumblineCacheDir, plumblineUnavailable } from "./tools.js";

/**
 * The measured scenarios for one repository, all on the same committed tree:
 * floor, dependency-cruiser cold, Plumbline cold / warm / after a one-file commit,
 * then edge parity. "Cold" means no tool cache; the OS page cache is warmed first for
 * everyone alike (an untimed floor pass), so disk luck does not decide the order.
 */

export interface BenchTarget {
  readonly label: string;
  readonly dir: string;
  readonly depcruiseConfig: string;
  readonly roots: readonly string[];
  readonly sourceFiles: number;
  /** Violations planted by the generator; null for a real repository. */
  readonly planted: number | null;
  /** The file edited and committed for the one-file-change scenario. */
  readonly touchFile: string;
  readonly ruleIds: readonly string[];
  readonly notes: readonly string[];
}

export type Row = { readonly label: string; readonly m: Measurement } | { readonly label: string; readonly unavailable: string };

export interface TargetReport {
  readonly target: BenchTarget;
  readonly floor: Row;
  readonly depcruise: Row;
  readonly plumbline: readonly Row[];
  readonly violations: { readonly depcruise: number | null; readonly plumbline: number | null };
  /** The CLI's self-reported phase timings from the last cold run, e.g. "list 93, snapshot 1939". */
  readonly plumblinePhases: string | null;
  readonly parity: ParityResult;
}

export interface ScenarioOptions {
  readonly runs: number;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

export async function benchmarkTarget(t: BenchTarget, opts: ScenarioOptions): Promise<TargetReport> {
  const base = { cwd: t.dir, runs: opts.runs, timeoutMs: opts.timeoutMs };
  await runOnce(process.execPath, [FLOOR_SCRIPT, "."], base); // warm the page cache, untimed

  opts.log("floor");
  const floor = await row("floor: read every source file", () => measure(process.execPath, [FLOOR_SCRIPT, "."], base));

  opts.log("dependency-cruiser");
  const dcMissing = depcruiseUnavailable();
  const depcruise: Row = dcMissing
    ? { label: "dependency-cruiser (cold)", unavailable: dcMissing }
    : await row("dependency-cruiser --no-cache", () =>
        measure(process.execPath, [DEPCRUISE_BIN, "--no-cache", "--config", t.depcruiseConfig, "--output-type", "err", ...t.roots], {
          ...base,
          // It exits with its error count; success is a finished report, which always ends in this summary.
          okExit: (_code, r) => /dependency violations|no dependency violations/.test(r.stdout),
        }),
      );

  const plumbline = await plumblineRows(t, base, opts);
  const cold = plumbline[0];
  opts.log("edge parity");
  const parity = await compareEdges(t.dir, t.depcruiseConfig, t.roots);
  return {
    target: t,
    floor,
    depcruise,
    plumbline,
    violations: {
      depcruise: parity.ok ? parity.parity.depcruiseViolations : null,
      plumbline: cold && "m" in cold ? countFindings(cold.m.runs.at(-1)!, t.ruleIds) : null,
    },
    plumblinePhases: cold && "m" in cold ? phases(cold.m.runs.at(-1)!) : null,
    parity,
  };
}

async function plumblineRows(t: BenchTarget, base: { cwd: string; runs: number; timeoutMs: number }, opts: ScenarioOptions): Promise<Row[]> {
  const labels = ["plumbline check, cold (no cache)", "plumbline check, warm (cache present)", "plumbline check, one file changed"];
  const missing = plumblineUnavailable();
  if (missing) return labels.map((label) => ({ label, unavailable: missing }));

  const args = [PLUMBLINE_BIN, "check", t.dir, "--format", "json"];
  // 0 = nothing blocking, 1 = blocking findings (expected: violations are planted). 2 = invalid policy or usage.
  const okExit = (code: number) => code === 0 || code === 1;
  const cache = plumblineCacheDir(t.dir);
  const run = (label: string, before?: (i: number) => void): Promise<Row> =>
    row(label, () => measure(process.execPath, args, { ...base, okExit, ...(before ? { before } : {}) }), plumblineReason);

  opts.log("plumbline cold");
  const cold = await run(labels[0]!, () => rmSync(cache, { recursive: true, force: true }));
  if ("unavailable" in cold) return [cold, ...labels.slice(1).map((label) => ({ label, unavailable: cold.unavailable }))];
  opts.log("plumbline warm");
  const warm = await run(labels[1]!);
  opts.log("plumbline one-file change");
  const changed = await run(labels[2]!, (i) => {
    // A new blob for one file, committed: exactly one record is new, every other is cached.
    appendFileSync(join(t.dir, t.touchFile), `\n// plumbline bench edit ${i}\n`);
    git(t.dir, ["add", "--", t.touchFile]);
    git(t.dir, ["commit", "-q", "--no-verify", "-m", `bench: edit ${t.touchFile} (${i})`]);
  });
  return [cold, warm, changed];
}

async function row(label: string, fn: () => Promise<Measurement>, explain: (r: RunResult) => string | null = () => null): Promise<Row> {
  try {
    return { label, m: await fn() };
  } catch (e) {
    if (e instanceof MeasureError) return { label, unavailable: explain(e.result) ?? e.message };
    return { label, unavailable: (e as Error).message };
  }
}

/** The CLI's JSON report says why a policy was rejected; that beats "exit 2". */
function plumblineReason(r: RunResult): string | null {
  try {
    const report = JSON.parse(r.stdout) as { conclusion?: string; errors?: { message?: string }[] };
    const first = report.errors?.[0]?.message;
    if (first) return `exit ${r.exitCode}, ${report.conclusion ?? "error"}: ${first.split("\n")[0]}`;
  } catch {
    // not JSON: fall through to stderr
  }
  const line = r.stderr.split("\n").find((l) => l.trim() !== "");
  return line ? `exit ${r.exitCode}: ${line.slice(0, 200)}` : null;
}

function phases(r: RunResult): string | null {
  try {
    const t = (JSON.parse(r.stdout) as { timings?: Record<string, number> }).timings;
    return t ? Object.entries(t).map(([k, v]) => `${k} ${Math.round(v)}`).join(", ") : null;
  } catch {
    return null;
  }
}

function countFindings(r: RunResult, ruleIds: readonly string[]): number | null {
  try {
    const report = JSON.parse(r.stdout) as { findings?: { invariant?: string }[] };
    return report.findings?.filter((f) => f.invariant !== undefined && ruleIds.includes(f.invariant)).length ?? null;
  } catch {
    return null;
  }
}
