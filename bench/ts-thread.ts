import { Worker } from "node:worker_threads";

/** See threadsRunAtNice. */
let threadNice: number | null = null;

/**
 * Threads started from now on set their own CPU priority to `nice` first (Linux keeps one per
 * thread; a thread is born with its creator's). The soak lowers its main thread, which serves
 * the fake GitHub, and starts the webhook server and the load generator back at this one: the
 * fake stands for a remote service, and at equal priority its work (and its `git` children)
 * showed up as webhook latency no deployment would have. Where raising a thread back needs a
 * privilege the process lacks, the thread keeps its creator's priority.
 */
export function threadsRunAtNice(nice: number): void {
  threadNice = nice;
}

/**
 * Starts a worker thread running a TypeScript module. Under `tsx` on Node 20 a worker does not
 * inherit the loader (`--import tsx` in execArgv is not applied to the thread's entry), so the
 * thread registers tsx's ESM hooks itself before importing the module.
 */
export function startTsThread(moduleUrl: URL, workerData: unknown): Worker {
  const api = import.meta.resolve("tsx/esm/api");
  const renice = threadNice === null ? "" : `try { (await import("node:os")).setPriority(0, ${threadNice}); } catch {}\n`;
  const code = `(async () => { ${renice}const t = await import(${JSON.stringify(api)}); t.register(); await import(${JSON.stringify(moduleUrl.href)}); })()`;
  return new Worker(code, { eval: true, workerData });
}
