import { parentPort, workerData } from "node:worker_threads";
import { extractModuleRecord } from "./extract-imports.js";
import type { ModuleRecord } from "./module-record.js";
import { encodeRecord } from "./record-codec.js";
import type { ParseAnswer, ParseChunk } from "./parse-pool.js";
import { startWarmUp } from "./warm-up.js";

// The pool starts before the tree is read: compile the scan while the files are on their way.
const warmUp = startWarmUp({ whenIdle: false });
const taker = (workerData as { taker: number }).taker;

/** One thread of a ParsePool: parses each chunk posted to it unless the calling thread took it back first. */
parentPort!.on("message", (chunk: ParseChunk) => {
  warmUp.stop();
  if (Atomics.compareExchange(new Int32Array(chunk.claim), 0, 0, taker) !== 0) return;
  const records: ModuleRecord[] = [];
  const encoded: string[] = [];
  for (let i = 0; i < chunk.paths.length; i++) {
    const record = extractModuleRecord(chunk.paths[i]!, chunk.texts[i]!);
    records.push(record);
    encoded.push(JSON.stringify(encodeRecord(record)));
  }
  parentPort!.postMessage({ session: chunk.session, start: chunk.start, records, encoded } satisfies ParseAnswer);
});
