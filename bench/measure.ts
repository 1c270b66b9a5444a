import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Runs a command as a child process and reports wall time and peak resident memory.
 *
 * Peak memory, in order of preference:
 *  1. GNU `/usr/bin/time -f %M -o FILE`: the kernel's ru_maxrss from wait4() for the child,
 *     which covers the whole process tree as the largest single process (not the sum; a
 *     tool's git subprocesses are tiny next to its Node heap). Written to a file so the
 *     child's own stderr stays clean. Cross-checked here against the probe below (same KiB),
 *     so this is not GNU time 1.7, which over-reported %M fourfold.
 *  2. Otherwise (macOS, BusyBox without -f): every command we measure is `node`, so we
 *     preload `rss-probe.cjs` through NODE_OPTIONS; each Node process in the tree appends
 *     its own `process.resourceUsage().maxRSS` at exit and we take the largest — the same
 *     "largest process" semantics. (Node exposes no RUSAGE_CHILDREN, so the parent cannot
 *     read a finished child's peak through `spawnSync` itself.)
 * Wall time is taken in this process around spawn → close, so it includes process start-up
 * (a user waits for that too) and the ~1 ms exec of /usr/bin/time, the same for every row.
 */

export interface RunResult {
  readonly wallMs: number;
  /** Peak RSS in KiB, or null when it could not be read. */
  readonly peakKb: number | null;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MeasureOptions {
  readonly cwd: string;
  /** Runs to take the median of (default 3). */
  readonly runs?: number;
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Untimed preparation before each run (clear a cache, commit a change). */
  readonly before?: (run: number) => void;
  /** Exit codes that mean success; a tool that reports violations exits non-zero on purpose. */
  readonly okExit?: (code: number, result: RunResult) => boolean;
}

export interface Measurement {
  readonly medianWallMs: number;
  /** Largest peak over the runs: a memory ceiling claim must hold for the worst run. */
  readonly peakKb: number | null;
  readonly runs: readonly RunResult[];
}

export class MeasureError extends Error {
  constructor(message: string, readonly result: RunResult) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_CAP = 64 * 1024 * 1024;
const PROBE = fileURLToPath(new URL("./rss-probe.cjs", import.meta.url));

/** Process groups still running, so an interrupted benchmark can stop what it started. */
const activeGroups = new Set<number>();

export function killActiveChildren(): void {
  for (const pgid of activeGroups) {
    try { process.kill(-pgid, "SIGKILL"); } catch { /* already gone */ }
  }
  activeGroups.clear();
}

let gnuTime: boolean | undefined;
/** Whether `/usr/bin/time` is GNU time (accepts `-f %M -o FILE`). Probed once. */
export function hasGnuTime(): boolean {
  if (gnuTime !== undefined) return gnuTime;
  const dir = mkdtempSync(join(tmpdir(), "plumbline-time-"));
  try {
    const out = join(dir, "m");
    const r = spawnSync("/usr/bin/time", ["-f", "%M", "-o", out, "true"], { timeout: 10_000, stdio: "ignore" });
    gnuTime = r.status === 0 && existsSync(out) && /^\d+\s*$/.test(readFileSync(out, "utf8"));
  } catch {
    gnuTime = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return gnuTime;
}

export function memoryMethod(): string {
  return hasGnuTime() ? "GNU time %M (ru_maxrss)" : "Node maxRSS probe via NODE_OPTIONS";
}

export async function measure(cmd: string, args: readonly string[], opts: MeasureOptions): Promise<Measurement> {
  const runs: RunResult[] = [];
  for (let i = 0; i < (opts.runs ?? 3); i++) runs.push(await measureOnce(cmd, args, opts, i));
  return summarize(runs);
}

/** One checked run: `before`, then the command; throws MeasureError on timeout or a failing exit. */
export async function measureOnce(cmd: string, args: readonly string[], opts: Omit<MeasureOptions, "runs">, run: number): Promise<RunResult> {
  opts.before?.(run);
  const r = await runOnce(cmd, args, opts);
  const ok = opts.okExit ?? ((code: number) => code === 0);
  if (r.timedOut) throw new MeasureError(`timed out after ${(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`, r);
  if (r.exitCode === null || !ok(r.exitCode, r)) throw new MeasureError(`exit ${r.exitCode ?? "by signal"}: ${firstLine(r.stderr || r.stdout)}`, r);
  return r;
}

export function summarize(runs: readonly RunResult[]): Measurement {
  const peaks = runs.map((r) => r.peakKb).filter((k): k is number => k !== null);
  return { medianWallMs: median(runs.map((r) => r.wallMs)), peakKb: peaks.length ? Math.max(...peaks) : null, runs };
}

export async function runOnce(cmd: string, args: readonly string[], opts: Omit<MeasureOptions, "runs">): Promise<RunResult> {
  const scratch = mkdtempSync(join(tmpdir(), "plumbline-measure-"));
  const memFile = join(scratch, "peak");
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  let argv: string[];
  if (hasGnuTime()) {
    argv = ["/usr/bin/time", "-f", "%M", "-o", memFile, cmd, ...args];
  } else {
    argv = [cmd, ...args];
    env["NODE_OPTIONS"] = `${env["NODE_OPTIONS"] ?? ""} --require ${JSON.stringify(PROBE)}`.trim();
    env["PLUMBLINE_BENCH_RSS_FILE"] = memFile;
  }
  try {
    const started = performance.now();
    const result = await spawnBounded(argv, opts.cwd, env, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const wallMs = performance.now() - started;
    return { ...result, wallMs, peakKb: readPeak(memFile) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function spawnBounded(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<Omit<RunResult, "wallMs" | "peakKb">>((resolvePromise, reject) => {
    // Own process group, so a timeout kills the tool and everything it started.
    // (Its own group also means a Ctrl-C in the terminal does not reach it: see killActiveChildren.)
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid !== undefined) activeGroups.add(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    const collect = (sink: Buffer[]) => (chunk: Buffer) => {
      if (outBytes < OUTPUT_CAP) sink.push(chunk);
      outBytes += chunk.length;
    };
    child.stdout.on("data", collect(out));
    child.stderr.on("data", collect(err));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, "SIGKILL"); } catch { /* already gone */ }
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      if (child.pid !== undefined) activeGroups.delete(child.pid);
    };
    child.on("error", (e) => { done(); reject(e); });
    child.on("close", (code) => {
      done();
      resolvePromise({ exitCode: code, timedOut, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

/** GNU time writes one number; the probe writes one per Node process. Either way: the largest. */
function readPeak(file: string): number | null {
  if (!existsSync(file)) return null;
  // Whole-line numbers only: GNU time also writes "Command exited with non-zero status 1".
  const nums = readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter((l) => /^\d+$/.test(l)).map(Number);
  return nums.length ? Math.max(...nums) : null;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "(no output)";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
