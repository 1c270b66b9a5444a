import type { DeliveryTemplate, Subs } from "./delivery-template.js";
import { summarize, type Summary } from "./latency-stats.js";
import { startTsThread } from "./ts-thread.js";

/**
 * An open-loop webhook load: every delivery has a scheduled send time and goes out then,
 * whether or not earlier ones were answered (a closed loop, waiting for answers, would send
 * less exactly when the server is slow and so hide its slowness: coordinated omission).
 * Latency is measured from the scheduled time, so time spent waiting for the in-flight cap
 * or for a busy sender counts against the server too. The sender runs in its own thread so
 * the process under test (same process) cannot stall it.
 */

export interface PlannedSend {
  /** Milliseconds after the start. */
  readonly atMs: number;
  readonly template: number;
  readonly subs: Subs;
  /** Move this branch to `sha` (a loose ref file in the fake's bare repository) just before sending, as GitHub updates the ref before it delivers. */
  readonly ref?: { readonly file: string; readonly sha: string };
}

export interface LoadPlan {
  readonly url: string;
  readonly secret: string;
  readonly templates: readonly DeliveryTemplate[];
  readonly sends: readonly PlannedSend[];
  /** Requests in flight at most; later sends wait (and their wait counts as latency). */
  readonly maxInFlight: number;
  /** Per request; GitHub gives up after 10 s. */
  readonly timeoutMs: number;
}

export interface LoadResult {
  /** Wall-clock ms (Date.now) of offset 0. */
  readonly startedAt: number;
  /** Per send: response end − scheduled time (NaN without a response). */
  readonly latencyMs: Float64Array;
  /** Per send: HTTP status, 0 for a timeout or connection failure. */
  readonly status: Int16Array;
  /** Per send: actual write − scheduled time (the sender's own lag). */
  readonly lateMs: Float64Array;
  /** Per send: offset of the actual write (ms after the start). */
  readonly sentAtMs: Float64Array;
  /** Sends that had to wait for the in-flight cap. */
  readonly capped: number;
  /** Why sends got no answer (status 0): error code, "timeout" or "unanswered" → count. */
  readonly failures: Readonly<Record<string, number>>;
}

export interface AckReport {
  readonly sent: number;
  readonly achievedPerSecond: number;
  readonly statuses: ReadonlyMap<number, number>;
  readonly accepted: number;
  readonly rejected: number;
  readonly latency: Summary;
  readonly senderLateP99: number;
  readonly capped: number;
  readonly failures: Readonly<Record<string, number>>;
}

export async function runOpenLoop(plan: LoadPlan): Promise<LoadResult> {
  const last = plan.sends.at(-1)?.atMs ?? 0;
  const budgetMs = last + plan.timeoutMs + 30_000;
  const thread = startTsThread(new URL("./open-loop-thread.ts", import.meta.url), plan);
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`open-loop sender did not finish within ${budgetMs} ms`)), budgetMs);
      thread.once("message", (m: LoadResult) => { clearTimeout(timer); resolve(m); });
      thread.once("error", (e) => { clearTimeout(timer); reject(e); });
      thread.once("exit", (code) => { clearTimeout(timer); reject(new Error(`open-loop sender exited (${code}) without a result`)); });
    });
  } finally {
    await thread.terminate();
  }
}

export function ackReport(r: LoadResult): AckReport {
  const statuses = new Map<number, number>();
  const lat: number[] = [];
  let accepted = 0;
  for (let i = 0; i < r.status.length; i++) {
    const s = r.status[i]!;
    statuses.set(s, (statuses.get(s) ?? 0) + 1);
    if (s >= 200 && s < 300) accepted++;
    // A send without an answer counts at the timeout it hit, never as fast.
    lat.push(Number.isNaN(r.latencyMs[i]!) ? Number.POSITIVE_INFINITY : r.latencyMs[i]!);
  }
  const sent = [...r.sentAtMs].filter((x) => !Number.isNaN(x));
  const span = sent.length > 1 ? Math.max(...sent) - Math.min(...sent) : Number.NaN;
  return {
    sent: r.status.length,
    achievedPerSecond: span > 0 ? ((sent.length - 1) / span) * 1000 : Number.NaN,
    statuses,
    accepted,
    rejected: r.status.length - accepted,
    latency: summarize(lat),
    senderLateP99: summarize(r.lateMs).p99,
    capped: r.capped,
    failures: r.failures,
  };
}

/** `none:10 (ECONNRESET 9, timeout 1) 200:1990` */
export const statusText = (m: ReadonlyMap<number, number>, failures: Readonly<Record<string, number>> = {}): string => {
  const why = Object.entries(failures).map(([k, n]) => `${k} ${n}`).join(", ");
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => (s === 0 ? `none:${n}${why ? ` (${why})` : ""}` : `${s}:${n}`)).join(" ");
};
