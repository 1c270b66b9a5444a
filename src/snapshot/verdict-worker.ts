import { parentPort } from "node:worker_threads";
import type { ParseAnswer, ParseChunk } from "./parse-pool.js";
import { quickVerdict } from "./syntax-verdict.js";

/**
 * A ParsePool's verdict thread: oxc's syntax verdict for each file of each chunk posted to it,
 * unless the calling thread took the chunk back first. Its taker number is 1.
 */
parentPort!.on("message", (chunk: ParseChunk) => {
  if (Atomics.compareExchange(new Int32Array(chunk.claim), 0, 0, chunk.taker) !== 0) return;
  const accepted = chunk.paths.map((path, i) => quickVerdict(path, chunk.texts[i]!));
  parentPort!.postMessage({ session: chunk.session, start: chunk.start, records: [], accepted } satisfies ParseAnswer);
});
