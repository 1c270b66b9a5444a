import { randomUUID } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import { githubHeaders, renderBody } from "./delivery-template.js";
import type { LoadPlan, LoadResult } from "./open-loop.js";

/** The sender thread of `runOpenLoop`: fires each planned delivery at its time (see open-loop.ts). */

const START_MARGIN_MS = 200;

function drive(plan: LoadPlan): Promise<LoadResult> {
  const n = plan.sends.length;
  const latencyMs = new Float64Array(n).fill(Number.NaN);
  const lateMs = new Float64Array(n).fill(Number.NaN);
  const sentAtMs = new Float64Array(n).fill(Number.NaN);
  const status = new Int16Array(n);
  const settled = new Uint8Array(n);
  const agent = new Agent({ keepAlive: true, maxSockets: plan.maxInFlight });
  const t0 = performance.now() + START_MARGIN_MS;
  const startedAt = Date.now() + START_MARGIN_MS;
  const backlog: number[] = [];
  let inFlight = 0;
  let done = 0;
  let next = 0;
  let capped = 0;

  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      agent.destroy();
      resolve({ startedAt, latencyMs, status, lateMs, sentAtMs, capped });
    };
    const settle = (i: number, code: number) => {
      if (settled[i]) return;
      settled[i] = 1;
      status[i] = code;
      if (code !== 0) latencyMs[i] = performance.now() - t0 - plan.sends[i]!.atMs;
      inFlight--;
      done++;
      const queued = backlog.shift();
      if (queued !== undefined) send(queued);
      if (done === n) finish();
    };
    const send = (i: number) => {
      const s = plan.sends[i]!;
      const t = plan.templates[s.template]!;
      const body = renderBody(t, s.subs);
      inFlight++;
      const now = performance.now() - t0;
      sentAtMs[i] = now;
      lateMs[i] = now - s.atMs;
      const req = request(plan.url, { method: "POST", agent, headers: githubHeaders(t.event, randomUUID(), body, plan.secret) }, (res) => {
        res.resume();
        res.on("end", () => settle(i, res.statusCode ?? 0));
        res.on("error", () => settle(i, 0));
      });
      req.setTimeout(plan.timeoutMs, () => req.destroy(new Error("timeout")));
      req.on("error", () => settle(i, 0));
      req.end(body);
    };
    const fire = (i: number) => {
      const ref = plan.sends[i]!.ref;
      // Git's own protocol for a loose ref: write the lock file, rename it over the ref.
      if (ref) {
        writeFileSync(`${ref.file}.lock`, `${ref.sha}\n`);
        renameSync(`${ref.file}.lock`, ref.file);
      }
      if (inFlight >= plan.maxInFlight) {
        capped++;
        backlog.push(i);
      } else send(i);
    };
    const tick = () => {
      const now = performance.now() - t0;
      while (next < n && plan.sends[next]!.atMs <= now) fire(next++);
      if (next < n) setTimeout(tick, Math.max(0, plan.sends[next]!.atMs - (performance.now() - t0)));
    };
    if (n === 0) return finish();
    setTimeout(tick, START_MARGIN_MS);
    // Whatever is still unanswered after the last timeout is reported as unanswered (status 0).
    const lastAt = plan.sends[n - 1]!.atMs;
    setTimeout(() => {
      if (done < n) finish();
    }, START_MARGIN_MS + lastAt + plan.timeoutMs + 2_000).unref();
  });
}

if (parentPort) {
  const result = await drive(workerData as LoadPlan);
  parentPort.postMessage(result, [result.latencyMs.buffer, result.lateMs.buffer, result.sentAtMs.buffer, result.status.buffer] as ArrayBuffer[]);
}
