import { openRepo, changeContext, evaluateIntendedChange } from "./dist/hooks/evaluate-intended-change.js";
import { writeChange } from "./dist/hooks/intended-change.js";
import { readFileSync } from "node:fs";
const ev = JSON.parse(readFileSync("/tmp/ev1k.json","utf8"));
for (let i=0;i<3;i++){
let t=performance.now();
const repo = await openRepo(ev.cwd); console.log("open", Math.round(performance.now()-t)); t=performance.now();
const ctx = await changeContext(repo, ev.cwd); console.log("ctx(list)", Math.round(performance.now()-t)); t=performance.now();
const ch = await writeChange(ctx, ev.tool_input.file_path, ev.tool_input.content);
const out = await evaluateIntendedChange(repo, ch, { actor: null, now: new Date(), cache: true }); console.log("eval", Math.round(performance.now()-t), out.timings);
}
