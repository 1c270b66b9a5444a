import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setPriority } from "node:os";

/** Worker processes run at this niceness (see startOne). */
export const WORKER_NICE = 10;

/**
 * `plumbline worker` child processes, exactly as deployed (the built CLI in dist/), pointed at
 * the fake and the soak's Redis prefix. Their stderr/stdout are drained continuously (a full
 * pipe would stall a worker) and the last lines kept for the report. Every child is killed
 * when the soak ends, however it ends.
 */

const BIN = fileURLToPath(new URL("../bin/plumbline.js", import.meta.url));
const DIST_MAIN = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export interface WorkerPool {
  readonly pids: readonly number[];
  /** Log lines at warn or above, counted per message. */
  problems(): Map<string, number>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
/** Synchronous last resort (process exit, Ctrl-C): no child outlives the soak. */
export function killAllWorkersNow(): void {
  for (const c of live) if (c.exitCode === null && c.pid) c.kill("SIGKILL");
}

export async function startWorkerPool(count: number, env: Record<string, string>): Promise<WorkerPool> {
  if (!existsSync(DIST_MAIN)) throw new Error("dist/ is missing: run `npm run build` first (worker processes run the built CLI)");
  const problems = new Map<string, number>();
  const children = await Promise.all(Array.from({ length: count }, () => startOne(env, problems)));
  return {
    pids: children.map((c) => c.pid!),
    problems: () => problems,
    async stop() {
      await Promise.all(children.map(stopOne));
    },
  };
}

function startOne(env: Record<string, string>, problems: Map<string, number>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "worker"], {
    // PATH and HOME only from the parent: the app's settings come from `env`, nothing else leaks in.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  child.on("exit", () => live.delete(child));
  // Below the webhook server, as in production on a shared machine: GitHub waits 10 s for an
  // answer and never retries, while an evaluation can wait a few milliseconds for the CPU.
  try {
    setPriority(child.pid!, WORKER_NICE);
  } catch {
    problems.set(`could not lower the worker's CPU priority to nice ${WORKER_NICE}`, 1);
  }
  const record = (line: string) => {
    // pino JSON lines: count by message so thousands of repeats stay one row.
    try {
      const j = JSON.parse(line) as { msg?: string; err?: string; reason?: string };
      const key = [j.msg, j.err ?? j.reason].filter(Boolean).join(": ").slice(0, 160);
      problems.set(key, (problems.get(key) ?? 0) + 1);
    } catch {
      if (line.trim()) problems.set(line.slice(0, 160), (problems.get(line.slice(0, 160)) ?? 0) + 1);
    }
  };
  lines(child.stdout!, record);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`plumbline worker (pid ${child.pid}) not ready within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    let ready = false;
    lines(child.stderr!, (line) => {
      if (!ready && /evaluation worker\(s\) running/.test(line)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      } else if (!/listening|Ctrl-C/.test(line)) record(line);
    });
    child.once("exit", (code) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`plumbline worker exited with ${code} before it was ready: ${[...problems.keys()].slice(-3).join(" | ")}`));
      }
    });
  });
}

/** SIGTERM lets BullMQ finish its active jobs; `worker.close()` has no timeout, so SIGKILL follows after a grace period. */
function stopOne(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}
