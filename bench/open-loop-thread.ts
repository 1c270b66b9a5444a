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
  /** Why sends got no answer: error code (ECONNRESET…), "timeout" or "unanswered" → count. */
  const failures: Record<string, number> = {};
  // Idle sockets are dropped after 2 s, before the server's keep-alive timeout (Node's default
  // 5 s) closes them: a request written on a socket the server is closing at that moment fails
  // with ECONNRESET, a race of the sender's pool, not an answer of the server (Node's docs on
  // `request.reusedSocket`). The noisy soak phase lost 1–3 of 10,030 deliveries unanswered
  // in three runs; that race is the suspected cause, not a confirmed one.
  const agent = new Agent({ keepAlive: true, maxSockets: plan.maxInFlight, timeout: 2_000 });
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
      const unanswered = n - done;
      if (unanswered > 0) failures.unanswered = (failures.unanswered ?? 0) + unanswered;
      resolve({ startedAt, latencyMs, status, lateMs, sentAtMs, capped, failures });
    };
    const settle = (i: number, code: number, failure?: string) => {
      if (settled[i]) return;
      settled[i] = 1;
      if (failure !== undefined) failures[failure] = (failures[failure] ?? 0) + 1;
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
        res.on("error", (e: NodeJS.ErrnoException) => settle(i, 0, `response ${e.code ?? e.message}`));
      });
      req.setTimeout(plan.timeoutMs, () => req.destroy(new Error("timeout")));
      req.on("error", (e: NodeJS.ErrnoException) => settle(i, 0, e.message === "timeout" ? "timeout" : `${e.code ?? e.message}${req.reusedSocket ? " on a reused socket" : ""}`));
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
