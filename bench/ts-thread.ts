import { Worker } from "node:worker_threads";

/**
 * Starts a worker thread running a TypeScript module. Under `tsx` on Node 20 a worker does not
 * inherit the loader (`--import tsx` in execArgv is not applied to the thread's entry), so the
 * thread registers tsx's ESM hooks itself before importing the module.
 */
export function startTsThread(moduleUrl: URL, workerData: unknown): Worker {
  const api = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(moduleUrl.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}
