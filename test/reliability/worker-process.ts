import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** `node bin/plumbline.js worker|serve` as a real child process, to kill and measure. */

const ROOT = resolve(import.meta.dirname, "../..");

export interface PlumblineProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the process says it is running (workers started / server listening). */
  readonly ready: Promise<void>;
  /** For `serve`: the webhook URL it printed. */
  webhookUrl(): string;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resident set size and its peak so far (VmRSS, VmHWM), in KiB. */
  memory(): { rssKiB: number; peakKiB: number };
}

export function spawnPlumbline(mode: "worker" | "serve", env: Record<string, string>, opts: { readyTimeoutMs?: number } = {}): PlumblineProcess {
  const child = spawn(process.execPath, [join(ROOT, "bin/plumbline.js"), mode], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let url = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
  const ready = new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`plumbline ${mode} not ready after ${opts.readyTimeoutMs ?? 15_000} ms:\n${out}`)), opts.readyTimeoutMs ?? 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening for GitHub webhooks on (\S+)/.exec(out);
      if (m) url = m[1]!;
      if (/evaluation worker\(s\) running/.test(out)) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`plumbline ${mode} exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    pid: child.pid!,
    ready,
    webhookUrl: () => url,
    output: () => out,
    exited,
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
    memory() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
      return { rssKiB: kib("VmRSS"), peakKiB: kib("VmHWM") };
    },
  };
}

/**
 * The children run dist/, so dist must be at least as new as src/. Builds once (tsc, ~30 s on
 * two CPUs) under a lock directory, because vitest runs test files in parallel processes.
 */
export function ensureBuilt(): void {
  const main = join(ROOT, "dist/cli/main.js");
  if (!stale(main)) return;
  const lock = join(ROOT, "dist/.reliability-build.lock");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  const until = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > until) throw new Error("waited 180 s for another test file's build of dist/");
      spawnSync("sleep", ["0.5"]);
      if (!stale(main)) return;
    }
  }
  try {
    if (!stale(main)) return;
    // tsc emits even with type errors elsewhere; the children only need the emitted JS.
    spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "ignore" });
  } finally {
    rmdirSync(lock);
  }
}

function stale(main: string): boolean {
  let built: number;
  try {
    built = statSync(main).mtimeMs;
  } catch {
    return true;
  }
  return newestMtime(join(ROOT, "src")) > built;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}
