import { Worker } from "node:worker_threads";
const w = new Worker(new URL("./w.ts", import.meta.url), { workerData: { n: 21 }, execArgv: ["--import", "tsx"] });
w.on("message", (m) => { console.log("msg", m); void w.terminate(); });
w.on("error", (e) => console.log("err", e.message));
