import { appendFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { compareEdges, type ParityResult } from "./compare-edges.js";
import { git } from "./git.js";
import { MeasureError, measureOnce, runOnce, summarize, type Measurement, type MeasureOptions, type RunResult } from "./measure.js";
import { DEPCRUISE_BIN, depcruiseUnavailable, FLOOR_SCRIPT, PLUMBLINE_BIN, plumblineCacheDir, plumblineUnavailable } from "./tools.js";

/**
 * The measured scenarios for one repository, all on the same committed tree: floor,
 * dependency-cruiser cold, Plumbline cold / warm / after a one-file commit, then edge parity.
 * Runs are interleaved in rounds (every row once per round) rather than row after row, so a
 * burst of background load hits all rows alike instead of deciding one row's median.
 * "Cold" means no tool cache; the OS page cache is warmed first for everyone (an untimed
 * floor pass), so disk luck does not decide the order.
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

interface RowSpec {
  readonly label: string;
  readonly cmd: readonly string[];
  readonly opts: Omit<MeasureOptions, "runs">;
  /** Set when the row cannot run at all; also set after its first failure. */
  missing: string | null;
  /** A row that only makes sense after another one ran (warm needs cold's cache). */
  readonly after?: RowSpec;
  /** Turns a failed run into a readable reason. */
  readonly explain?: (r: RunResult) => string | null;
  readonly runs: RunResult[];
}

type SpecExtra = Omit<Partial<RowSpec>, "opts" | "runs"> & { opts?: Partial<Omit<MeasureOptions, "runs">> };
type MakeSpec = (label: string, cmd: readonly string[], extra?: SpecExtra) => RowSpec;

export async function benchmarkTarget(t: BenchTarget, opts: ScenarioOptions): Promise<TargetReport> {
  const base = { cwd: t.dir, timeoutMs: opts.timeoutMs };
  await runOnce(process.execPath, [FLOOR_SCRIPT, "."], base); // warm the page cache, untimed

  const spec: MakeSpec = (label, cmd, extra = {}) => ({ label, cmd, missing: null, ...extra, runs: [], opts: { ...base, ...extra.opts } });
  const floor = spec("floor: read every source file", [FLOOR_SCRIPT, "."]);
  const depcruise = spec("dependency-cruiser --no-cache", [DEPCRUISE_BIN, "--no-cache", "--config", t.depcruiseConfig, "--output-type", "err", ...t.roots], {
    missing: depcruiseUnavailable(),
    // It exits with its error count; success is a finished report, which always ends in this summary.
    opts: { okExit: (_code, r) => /dependency violations/.test(r.stdout) },
  });
  const plumbline = plumblineSpecs(t, spec);
  const specs = [floor, depcruise, ...plumbline];

  for (let round = 0; round < opts.runs; round++) {
    for (const s of specs) {
      if (s.missing !== null) continue;
      if (s.after && s.after.missing !== null) {
        s.missing = `needs the row before it, which did not run (${s.after.missing})`;
        continue;
      }
      opts.log(`round ${round + 1}/${opts.runs}: ${s.label}`);
      try {
        s.runs.push(await measureOnce(process.execPath, s.cmd, s.opts, round));
      } catch (e) {
        s.missing = e instanceof MeasureError ? (s.explain?.(e.result) ?? e.message) : (e as Error).message;
      }
    }
  }

  opts.log("edge parity");
  const parity = await compareEdges(t.dir, t.depcruiseConfig, t.roots);
  const cold = plumbline[0]!;
  const lastCold = cold.missing === null ? cold.runs.at(-1) : undefined;
  return {
    target: t,
    floor: toRow(floor),
    depcruise: toRow(depcruise),
    plumbline: plumbline.map(toRow),
    violations: {
      depcruise: parity.ok ? parity.parity.depcruiseViolations : null,
      plumbline: lastCold ? countFindings(lastCold, t.ruleIds) : null,
    },
    plumblinePhases: lastCold ? phases(lastCold) : null,
    parity,
  };
}

function plumblineSpecs(t: BenchTarget, spec: MakeSpec): RowSpec[] {
  const cmd = [PLUMBLINE_BIN, "check", t.dir, "--format", "json"];
  const missing = plumblineUnavailable();
  const cache = missing ? "" : plumblineCacheDir(t.dir);
  // 0 = nothing blocking, 1 = blocking findings (expected: violations are planted). 2 = invalid policy or usage.
  const okExit = (code: number) => code === 0 || code === 1;
  const common = { missing, explain: plumblineReason };
  const cold = spec("plumbline check, cold (no cache)", cmd, { ...common, opts: { okExit, before: () => rmSync(cache, { recursive: true, force: true }) } });
  const warm = spec("plumbline check, warm (cache present)", cmd, { ...common, after: cold, opts: { okExit } });
  const changed = spec("plumbline check, one file changed", cmd, {
    ...common,
    after: warm,
    opts: {
      okExit,
      before: (i) => {
        // A new blob for one file, committed: exactly one record is new, every other is cached.
        appendFileSync(join(t.dir, t.touchFile), `\n// plumbline bench edit ${i}\n`);
        git(t.dir, ["add", "--", t.touchFile]);
        git(t.dir, ["commit", "-q", "--no-verify", "-m", `bench: edit ${t.touchFile} (${i})`]);
      },
    },
  });
  return [cold, warm, changed];
}

function toRow(s: RowSpec): Row {
  if (s.missing !== null) return { label: s.label, unavailable: s.missing };
  return { label: s.label, m: summarize(s.runs) };
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
