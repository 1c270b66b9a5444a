import { checkRevision } from "./dist/check/check-revision.js";
import { gitFileSource } from "./dist/snapshot/git-file-source.js";
import { dirFileSource } from "./dist/snapshot/dir-file-source.js";
import { createMemoryRecordCache } from "./dist/snapshot/record-cache.js";
import { buildSnapshot } from "./dist/snapshot/build-snapshot.js";
import { buildImportGraph } from "./dist/snapshot/import-graph.js";
const dir = "/tmp/pl1k";
const cache = createMemoryRecordCache();
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  const head = gitFileSource(dir, "HEAD");
  const out = await checkRevision({ head, base: gitFileSource(dir, "HEAD"), actor: null, now: new Date(), cache });
  console.log("git head+base", Math.round(performance.now() - t), out.timings);
}
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const out = await checkRevision({ head: dirFileSource(dir), base: dirFileSource(dir), policy: gitFileSource(dir,"HEAD"), actor: null, now: new Date(), cache });
  console.log("dir head+base", Math.round(performance.now() - t), out.timings);
}
// memoized source
const src = dirFileSource(dir); const entries = await src.listFiles(); const data = await src.readFiles(entries.map(e=>e.path));
const mem = { label: "mem", listFiles: async () => entries, readFiles: async (ps) => new Map(ps.map(p=>[p,data.get(p)])) };
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const out = await checkRevision({ head: mem, base: mem, policy: mem, actor: null, now: new Date(), cache });
  console.log("mem head+base", Math.round(performance.now() - t), out.timings);
}
let t = performance.now();
const snap = await buildSnapshot(mem, { reads: new Set(["tree","imports"]), cache });
console.log("snapshot mem", Math.round(performance.now()-t));
const contents = snap.contents;
t = performance.now();
const files = entries.map(e=>e.path);
const blobShas = new Map(entries.map(e=>[e.path,e.blobSha]));
buildImportGraph({ files, contents, blobShas, cache });
console.log("graph", Math.round(performance.now()-t));
t = performance.now();
buildImportGraph({ files, contents, blobShas, cache });
console.log("graph", Math.round(performance.now()-t));
