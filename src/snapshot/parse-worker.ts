import { parentPort, workerData } from "node:worker_threads";
import { extractModuleRecord } from "./extract-imports.js";
import type { ModuleRecord } from "./module-record.js";
import { encodeRecord } from "./record-codec.js";
import type { ParseAnswer, ParseChunk } from "./parse-pool.js";
import { startWarmUp } from "./warm-up.js";

// The pool starts before the tree is read: compile the scan while the files are on their way.
const warmUp = startWarmUp({ whenIdle: false });
const { taker, encode } = workerData as { taker: number; encode: boolean };

/** One thread of a ParsePool: parses each chunk posted to it unless the calling thread took it back first. */
parentPort!.on("message", (chunk: ParseChunk) => {
  warmUp.stop();
  if (Atomics.compareExchange(new Int32Array(chunk.claim), 0, 0, taker) !== 0) return;
  const records: ModuleRecord[] = [];
  for (let i = 0; i < chunk.paths.length; i++) records.push(extractModuleRecord(chunk.paths[i]!, chunk.texts[i]!));
  // The cache encoding too, when one is written: the calling thread then only joins strings.
  const encoded = encode ? records.map((r) => JSON.stringify(encodeRecord(r))) : undefined;
  parentPort!.postMessage({ session: chunk.session, start: chunk.start, records, ...(encoded ? { encoded } : {}) } satisfies ParseAnswer);
});
