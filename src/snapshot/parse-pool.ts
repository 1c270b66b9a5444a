import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { extractModuleRecord } from "./extract-imports.js";
import type { ModuleRecord } from "./module-record.js";
import { startWarmUp } from "./warm-up.js";

/** One batch handed to every parse thread: the files, and a shared counter to claim chunks of them from. */
export interface ParseJob {
  readonly id: number;
  readonly paths: readonly string[];
  readonly texts: readonly string[];
  /** Int32 slot 0: the next chunk to claim, shared by every thread (Atomics.add). */
  readonly next: SharedArrayBuffer;
  readonly chunk: number;
}

/** A worker's answer for one claimed chunk: the records of files start… in order. */
export interface ParseAnswer {
  readonly id: number;
  readonly start: number;
  readonly records: readonly ModuleRecord[];
}

/**
 * Worker threads that parse source files alongside the calling thread. oxc's async parse still
 * builds every result's JS objects on the main thread (nearly all of the cost on a 1k-file
 * repository), so only more JS threads parse faster. A worker takes ~65 ms to start (a V8
 * isolate plus oxc's native module), so a one-shot CLI run starts the pool before it lists
 * the tree, and the workers are ready when the files are.
 */
export interface ParsePool {
  /** Records of `files`, in order; the calling thread parses too. */
  extract(files: ReadonlyArray<{ path: string; text: string }>): Promise<ModuleRecord[]>;
  /** Stops the workers (they would otherwise keep the process alive). */
  close(): void;
}

const CHUNK = 16;
const WORKER_STACK_MB = 16;
// Next to this module in both layouts: dist/snapshot/ (tsc) and dist/bundle/ (scripts/bundle-cli.mjs).
const WORKER_URL = new URL("./parse-worker.js", import.meta.url);

export function createParsePool(threads: number): ParsePool {
  // Under tsx/vitest the worker's compiled file does not exist: the calling thread does all of it.
  const workers: Worker[] = [];
  if (threads > 0 && existsSync(fileURLToPath(WORKER_URL))) {
    for (let i = 0; i < threads; i++) {
      try {
        // oxc recurses on the native stack; a worker's default 4 MB is half the main thread's,
        // and this makes the nesting guard's margin (nesting-depth.ts) ≥10× instead of ≥2.5×.
        const w = new Worker(WORKER_URL, { resourceLimits: { stackSizeMb: WORKER_STACK_MB } });
        // Idle workers must not keep a finished CLI run alive.
        w.unref();
        workers.push(w);
      } catch {
        break;
      }
    }
  }
  const live = new Set(workers);
  for (const w of workers) {
    const leave = () => live.delete(w);
    w.once("error", leave);
    w.once("exit", leave);
  }
  // This thread parses too, and until the files are read it only waits for git (see warm-up.ts).
  const warmUp = workers.length > 0 ? startWarmUp({ whenIdle: true }) : null;
  let jobs = 0;
  return {
    extract: (files) => {
      warmUp?.stop();
      return extract(files, [...live], ++jobs);
    },
    close() {
      warmUp?.stop();
      for (const w of workers) void w.terminate();
    },
  };
}

/**
 * Every thread claims the next chunk from one shared counter, so a slow or busy worker takes
 * less and this thread never waits for one that has not started. A worker that fails costs
 * only time: whatever it did not answer is parsed here. Records are the same on every thread
 * (same parser, same code), so the result does not depend on who parsed what.
 */
async function extract(files: ReadonlyArray<{ path: string; text: string }>, workers: readonly Worker[], id: number): Promise<ModuleRecord[]> {
  const n = files.length;
  const records: Array<ModuleRecord | undefined> = new Array(n);
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const chunks = Math.ceil(n / CHUNK);

  let pending = n;
  let live = workers.length;
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const fill = (start: number, rs: readonly ModuleRecord[]) => {
    for (let i = 0; i < rs.length; i++) {
      if (records[start + i] === undefined) pending--;
      records[start + i] = rs[i];
    }
    if (pending === 0) settle();
  };
  const listeners = workers.map((w) => {
    let gone = false;
    const onMessage = (m: ParseAnswer) => {
      if (m.id === id) fill(m.start, m.records);
    };
    const onGone = () => {
      if (gone) return;
      gone = true;
      if (--live === 0) settle();
    };
    w.on("message", onMessage);
    w.on("error", onGone);
    w.on("exit", onGone);
    // Referenced while it works for us, so the process waits for its answers.
    w.ref();
    return () => {
      w.off("message", onMessage);
      w.off("error", onGone);
      w.off("exit", onGone);
      w.unref();
    };
  });
  if (workers.length > 0) {
    const job: ParseJob = { id, paths: files.map((f) => f.path), texts: files.map((f) => f.text), next, chunk: CHUNK };
    for (const w of workers) w.postMessage(job);
  }

  for (let c = Atomics.add(counter, 0, 1); c < chunks; c = Atomics.add(counter, 0, 1)) {
    const start = c * CHUNK;
    const end = Math.min(n, start + CHUNK);
    const rs: ModuleRecord[] = [];
    for (let i = start; i < end; i++) rs.push(extractModuleRecord(files[i]!.path, files[i]!.text));
    fill(start, rs);
  }
  if (pending > 0 && live > 0) await settled;
  for (const stop of listeners) stop();
  // A worker that died with chunks claimed left holes: parse them here.
  for (let i = 0; i < n; i++) records[i] ??= extractModuleRecord(files[i]!.path, files[i]!.text);
  return records as ModuleRecord[];
}
