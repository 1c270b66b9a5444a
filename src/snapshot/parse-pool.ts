import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { extractModuleRecord, parseModuleRecord, scanUnverified } from "./extract-imports.js";
import type { ModuleRecord } from "./module-record.js";
import { noteEncoding } from "./record-codec.js";
import { quickVerdict } from "./syntax-verdict.js";
import { startWarmUp } from "./warm-up.js";

/**
 * One chunk of files posted to one parse thread. Whoever takes the chunk first (compare-and-set
 * on `claim`: 0 → the taker's number) parses it: the thread it was posted to, or the calling
 * thread, which takes back whatever is still unclaimed when it runs out of other work.
 */
export interface ParseChunk {
  readonly session: number;
  readonly start: number;
  readonly paths: readonly string[];
  readonly texts: readonly string[];
  /** Int32 slot 0: 0 while unclaimed, else the taker (MAIN_TAKER or a worker's number). */
  readonly claim: SharedArrayBuffer;
  /** The worker's number, written into `claim` when it takes the chunk. */
  readonly taker: number;
}

/** A worker's answer for a chunk it took: the records of files start… in order, and their cache encodings. */
export interface ParseAnswer {
  readonly session: number;
  readonly start: number;
  readonly records: readonly ModuleRecord[];
  /** `JSON.stringify(encodeRecord(record))` of each, made on the worker (see noteEncoding); absent when the pool was told no cache is written. */
  readonly encoded?: readonly string[];
  /** From a verdict thread (no records): quickVerdict of each file. */
  readonly accepted?: readonly boolean[];
}

/** The calling thread's mark in a claim; workers are 1…n. */
const MAIN_TAKER = -1;

/**
 * Worker threads that parse source files alongside the calling thread. oxc's async parse still
 * builds every result's JS objects on the main thread (nearly all of the cost on a 1k-file
 * repository), so only more JS threads parse faster. A worker takes ~20–65 ms to start (a V8
 * isolate plus oxc's native module), so a one-shot CLI run starts its threads as soon as the
 * listing says how much there is to parse, and they come up while the files are read. For a
 * tree too small to repay parse threads, one verdict thread takes oxc's syntax check instead.
 */
export interface ParsePool {
  /** Records of `files`, in order; the calling thread parses too. */
  extract(files: ReadonlyArray<{ path: string; text: string }>): Promise<ModuleRecord[]>;
  /**
   * Files handed over one by one as they are read: the workers parse while the rest is still
   * arriving (git streams blobs for ~100–250 ms on 1k files), and `finish` adds this thread.
   * `bytes`: about how much text the session will parse (see createParsePool's `minBytes`).
   */
  session(bytes?: number): ParseSession;
  /** Stops the workers (they would otherwise keep the process alive). */
  close(): void;
  /** Chunks parsed by the workers and by the calling thread, over all sessions. */
  readonly stats: { readonly byWorkers: number; readonly here: number };
}

export interface ParseSession {
  add(path: string, text: string): void;
  /** Records of every added file, in the order added; the calling thread parses what is left. */
  finish(): Promise<ModuleRecord[]>;
  /** Gives up (the read failed): no worker starts another chunk of it, and its answers are dropped. */
  cancel(): void;
}

const CHUNK = 16;
const WORKER_STACK_MB = 16;
// Next to this module in both layouts: dist/snapshot/ (tsc) and dist/bundle/ (scripts/bundle-cli.mjs).
const WORKER_URL = new URL("./parse-worker.js", import.meta.url);
const VERDICT_WORKER_URL = new URL("./verdict-worker.js", import.meta.url);

/**
 * `encode`: the workers also encode what they parse for the record cache (noteEncoding), so a
 * cold run's cache write only joins strings; off when no cache will be written (`--no-cache`).
 * `minBytes`: start the parse threads only for a session of at least this much text. A smaller
 * one is parsed on the calling thread, which hands only oxc's syntax check to one verdict thread
 * (verdict-worker.ts): a parse thread's start-up and its own JIT warm-up of the scan cost more
 * than it saves on a small tree, while the check is native code from the first file and about a
 * quarter of the parse (see check-command.ts).
 */
export function createParsePool(threads: number, opts: { encode?: boolean; minBytes?: number } = {}): ParsePool {
  const workers: Worker[] = [];
  // A worker that failed (its 'error' is handled here, so it never throws) gets no more work.
  const alive = new Set<Worker>();
  let warmUp: { stop(): void } | null = null;
  let parsing = false;
  let verdictThread: Worker | null = null;
  // Under tsx/vitest a worker's compiled file does not exist: the calling thread does all of it.
  const spawn = (url: URL, taker: number, workerData: object): Worker | null => {
    if (threads <= 0 || !existsSync(fileURLToPath(url))) return null;
    try {
      // oxc recurses on the native stack; a worker's default 4 MB is half the main thread's,
      // and this makes the nesting guard's margin (nesting-depth.ts) ≥10× instead of ≥2.5×.
      const w = new Worker(url, { resourceLimits: { stackSizeMb: WORKER_STACK_MB }, workerData });
      // Idle workers must not keep a finished CLI run alive.
      w.unref();
      alive.add(w);
      takerOf.set(w, taker);
      const leave = () => alive.delete(w);
      w.once("error", leave);
      w.once("exit", leave);
      return w;
    } catch {
      return null;
    }
  };
  const startParsing = () => {
    parsing = true;
    if (verdictThread) void verdictThread.terminate();
    for (let i = 0; i < threads; i++) {
      const w = spawn(WORKER_URL, i + 1, { taker: i + 1, encode: opts.encode ?? true });
      if (w === null) break;
      workers.push(w);
    }
    // This thread parses too, and until the files are read it only waits for git (see warm-up.ts).
    if (workers.length > 0) warmUp = startWarmUp({ whenIdle: true });
  };
  // Without `minBytes` the threads start now; with it, when a session turns out to be that big,
  // and the verdict thread starts now, to be up before the files are (stopped if unneeded).
  if (opts.minBytes === undefined) startParsing();
  else verdictThread = spawn(VERDICT_WORKER_URL, 1, {});
  let sessions = 0;
  const stats = { byWorkers: 0, here: 0 };
  const session = (bytes = Infinity): ParseSession => {
    if (!parsing && bytes >= opts.minBytes!) startParsing();
    if (parsing) return startSession(workers.filter((w) => alive.has(w)), "parse", ++sessions, stats, () => warmUp?.stop());
    return startSession(verdictThread && alive.has(verdictThread) ? [verdictThread] : [], "verdict", ++sessions, stats, () => {});
  };
  return {
    stats,
    session,
    extract: (files) => {
      const s = session(files.reduce((n, f) => n + f.text.length, 0));
      for (const f of files) s.add(f.path, f.text);
      return s.finish();
    },
    close() {
      warmUp?.stop();
      for (const w of workers) void w.terminate();
      if (verdictThread) void verdictThread.terminate();
    },
  };
}

/** Each worker's number, as it writes it into a claim. */
const takerOf = new WeakMap<Worker, number>();

interface Chunk {
  readonly start: number;
  readonly paths: string[];
  readonly texts: string[];
  readonly claim: Int32Array;
  done: boolean;
}

/**
 * Full chunks go to the workers in turn as files arrive; `finish` posts nothing more, takes back
 * every chunk no worker has started (from the end, where the workers will get last) and waits
 * for the rest. A worker that fails costs only time: what it took and did not answer is done
 * here. Records are the same on every thread (same parser, same code), so the result does not
 * depend on who did what.
 *
 * `mode`: "parse", the workers parse chunks as the calling thread does (finishParsing);
 * "verdict", the calling thread scans every file and the worker (at most one) gives oxc's
 * syntax verdicts the scanned records wait for (finishWithVerdicts).
 */
function startSession(workers: readonly Worker[], mode: "parse" | "verdict", id: number, stats: { byWorkers: number; here: number }, beforeParsing: () => void): ParseSession {
  const records: ModuleRecord[] = [];
  const chunks: Chunk[] = [];
  /** A verdict thread's answers, by chunk start. */
  const acceptedAt = new Map<number, readonly boolean[]>();
  let filled = 0;
  let current: Chunk | null = null;
  let posted = 0;
  const live = new Map<Worker, number>(workers.map((w) => [w, takerOf.get(w)!]));
  let wake: () => void = () => {};
  const fill = (start: number, rs: readonly ModuleRecord[]) => {
    for (let i = 0; i < rs.length; i++) {
      if (records[start + i] === undefined) filled++;
      records[start + i] = rs[i]!;
    }
    wake();
  };
  const stops = [...live].map(([w]) => {
    const onMessage = (m: ParseAnswer) => {
      if (m.session !== id) return;
      if (m.accepted) {
        acceptedAt.set(m.start, m.accepted);
        stats.byWorkers++;
        wake();
        return;
      }
      if (m.encoded) m.records.forEach((r, i) => noteEncoding(r, m.encoded![i]!));
      fill(m.start, m.records);
      stats.byWorkers++;
      const chunk = chunks[m.start / CHUNK];
      if (chunk) chunk.done = true;
    };
    const onGone = () => {
      live.delete(w);
      wake();
    };
    w.on("message", onMessage);
    w.once("error", onGone);
    w.once("exit", onGone);
    // Referenced while it works for us, so the process waits for its answers.
    w.ref();
    return () => {
      w.off("message", onMessage);
      w.off("error", onGone);
      w.off("exit", onGone);
      w.unref();
    };
  });
  const post = (chunk: Chunk) => {
    const targets = [...live];
    if (targets.length === 0) return;
    const [w, taker] = targets[posted++ % targets.length]!;
    w.postMessage({ session: id, start: chunk.start, paths: chunk.paths, texts: chunk.texts, claim: chunk.claim.buffer as SharedArrayBuffer, taker } satisfies ParseChunk);
  };
  const parseHere = (chunk: Chunk) => {
    const rs: ModuleRecord[] = [];
    for (let i = 0; i < chunk.paths.length; i++) rs.push(extractModuleRecord(chunk.paths[i]!, chunk.texts[i]!));
    fill(chunk.start, rs);
    stats.here++;
    chunk.done = true;
  };
  const finishParsing = async (): Promise<ModuleRecord[]> => {
    for (;;) {
      for (let c = chunks.length - 1; c >= 0; c--) {
        const chunk = chunks[c]!;
        if (!chunk.done && Atomics.compareExchange(chunk.claim, 0, 0, MAIN_TAKER) === 0) parseHere(chunk);
      }
      if (filled === total) return records;
      // What is left was taken by workers: wait for an answer or a worker's end, then take
      // back what the workers that are gone had taken.
      await new Promise<void>((resolve) => (wake = resolve));
      const takers = new Set(live.values());
      for (const chunk of chunks) {
        const taker = Atomics.load(chunk.claim, 0);
        if (!chunk.done && taker !== 0 && taker !== MAIN_TAKER && !takers.has(taker)) parseHere(chunk);
      }
    }
  };
  /**
   * Verdict mode: this thread scans every file while the verdict thread runs oxc's syntax check
   * on the chunks posted to it, then settles each chunk with the thread's answers; a chunk the
   * thread has not taken (or took and never answered, being gone) is checked here, from the end.
   */
  const finishWithVerdicts = async (): Promise<ModuleRecord[]> => {
    const scanned = new Map<Chunk, (ModuleRecord | null)[]>(chunks.map((chunk) => [chunk, chunk.paths.map((path, i) => scanUnverified(path, chunk.texts[i]!))]));
    const settle = (chunk: Chunk, accepted: (i: number) => boolean) => {
      const rs = scanned.get(chunk)!;
      fill(chunk.start, chunk.paths.map((path, i) => (rs[i] !== null && accepted(i) ? rs[i]! : parseModuleRecord(path, chunk.texts[i]!))));
      chunk.done = true;
    };
    for (;;) {
      for (let c = chunks.length - 1; c >= 0; c--) {
        const chunk = chunks[c]!;
        if (chunk.done) continue;
        const answer = acceptedAt.get(chunk.start);
        // A chunk whose every file is parsed in full waits for no verdict.
        if (answer || scanned.get(chunk)!.every((r) => r === null)) {
          settle(chunk, (i) => answer![i]!);
        } else if (live.size === 0 || Atomics.compareExchange(chunk.claim, 0, 0, MAIN_TAKER) === 0) {
          settle(chunk, (i) => quickVerdict(chunk.paths[i]!, chunk.texts[i]!));
          stats.here++;
        }
      }
      if (filled === total) return records;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  let total = 0;
  return {
    add(path, text) {
      if (current === null) {
        current = { start: total, paths: [], texts: [], claim: new Int32Array(new SharedArrayBuffer(4)), done: false };
        chunks.push(current);
      }
      current.paths.push(path);
      current.texts.push(text);
      total++;
      if (current.paths.length === CHUNK) {
        post(current);
        current = null;
      }
    },
    cancel() {
      for (const chunk of chunks) Atomics.compareExchange(chunk.claim, 0, 0, MAIN_TAKER);
      for (const stop of stops) stop();
    },
    async finish() {
      beforeParsing();
      current = null;
      try {
        return await (mode === "verdict" ? finishWithVerdicts() : finishParsing());
      } finally {
        for (const stop of stops) stop();
      }
    },
  };
}
