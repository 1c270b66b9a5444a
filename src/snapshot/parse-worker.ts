import { parentPort } from "node:worker_threads";
import { extractModuleRecord } from "./extract-imports.js";
import type { ModuleRecord } from "./module-record.js";
import type { ParseAnswer, ParseJob } from "./parse-pool.js";
import { startWarmUp } from "./warm-up.js";

// The pool starts before the tree is read: compile the scan while the files are on their way.
const warmUp = startWarmUp({ whenIdle: false });

/** One thread of a ParsePool: for each job, claims chunks until none is left and answers each. */
parentPort!.on("message", (job: ParseJob) => {
  warmUp.stop();
  const counter = new Int32Array(job.next);
  const chunks = Math.ceil(job.paths.length / job.chunk);
  for (let c = Atomics.add(counter, 0, 1); c < chunks; c = Atomics.add(counter, 0, 1)) {
    const start = c * job.chunk;
    const end = Math.min(job.paths.length, start + job.chunk);
    const records: ModuleRecord[] = [];
    for (let i = start; i < end; i++) records.push(extractModuleRecord(job.paths[i]!, job.texts[i]!));
    parentPort!.postMessage({ id: job.id, start, records } satisfies ParseAnswer);
  }
});
