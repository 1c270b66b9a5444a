import { ms, seconds, textTable } from "../bench/latency-stats.js";
import { statusText, type AckReport } from "../bench/open-loop.js";
import { REQUEST_KINDS } from "../bench/request-kinds.js";
import type { GitHubLoad, PushOutcomes } from "./soak-results.js";

/** The soak's printed tables and its targets, stated with the numbers that decide them. */

export interface MainPhase {
  readonly title: string;
  readonly ack: AckReport;
  /** The webhook server thread's event-loop utilisation while the load was sent (0–1). */
  readonly serverBusy: number;
  readonly outcomes: PushOutcomes;
  readonly github: GitHubLoad;
  /** Ms after the last delivery until the check queue was empty; null: not within the bound. */
  readonly drainMs: number | null;
  readonly drainBoundMs: number;
  readonly leftInQueue: number;
  /**
   * The least time GitHub's pacing allows for the phase's writes: each push ends in one
   * check-run write (its verdict or its superseded notice), and Probot spaces one
   * installation's writes 1 s apart per process. So the busiest installation's pushes ÷
   * worker processes, in seconds.
   */
  readonly writeFloorMs: number;
}

export interface FairnessPhase {
  readonly title: string;
  readonly quiet: PushOutcomes;
  /** Acknowledgements of all the phase's deliveries, when it had a flood. */
  readonly phaseAck: AckReport | null;
  readonly leftInQueue: number;
}

export const FAIRNESS_FACTOR = 2;

const conclusionsText = (m: ReadonlyMap<string, number>) => [...m.entries()].sort().map(([c, n]) => `${c}:${n}`).join(" ") || "none";

export function renderMain(p: MainPhase): string[] {
  const o = p.outcomes;
  const rows: [string, string][] = [
    ["deliveries sent (achieved rate)", `${p.ack.sent} (${p.ack.achievedPerSecond.toFixed(0)}/s)`],
    ["accepted (2xx) / rejected or unanswered", `${p.ack.accepted} / ${p.ack.rejected}  [${statusText(p.ack.statuses, p.ack.failures)}]`],
    ["ack p50 / p99 / max (ms, from scheduled send)", `${ms(p.ack.latency.p50)} / ${ms(p.ack.latency.p99)} / ${ms(p.ack.latency.max)}`],
    ["sender lag p99 (ms; the load generator's own)", ms(p.ack.senderLateP99)],
    ["webhook server thread busy during the load", `${(p.serverBusy * 100).toFixed(0)}% (${ms((p.serverBusy * durationMs(p)) / p.ack.sent)} ms of its loop per delivery)`],
    ["pushes (distinct SHAs)", String(o.pushes)],
    ["concluded exactly once", `${o.exactlyOnce} (${pct(o.exactlyOnce, o.pushes)})`],
    ["unconcluded / duplicate runs / re-completed (verdict changed)", `${o.unconcluded} / ${o.duplicateRuns} / ${o.recompleted} (${o.flipped.length})`],
    ["conclusions", conclusionsText(o.byConclusion)],
    ["branch tips judged (last push not cancelled, concluded)", `${o.tipsEvaluated} / ${o.branches}`],
    ["queue drain after the last delivery", p.drainMs === null ? `not drained within ${seconds(p.drainBoundMs)} s (${p.leftInQueue} jobs left)` : `${seconds(p.drainMs)} s`],
    ["push → conclusion p50 / p99 / max (s)", `${seconds(o.latency.p50)} / ${seconds(o.latency.p99)} / ${seconds(o.latency.max)}`],
    ["GitHub requests / check-run writes", `${p.github.requests} / ${p.github.writes}`],
    ["GitHub requests by kind", REQUEST_KINDS.map((k) => `${k} ${p.github.byKind[k]}`).join(", ")],
    ["write floor: busiest installation's pushes ÷ (worker processes × 1 write/s)", `${seconds(p.writeFloorMs)} s`],
    ["peak check-run writes, one installation, one second", String(p.github.peakWritesPerInstallationSecond)],
  ];
  const flips = [...o.flipped.slice(0, 3).map((f) => `   verdict changed: ${f}`), ...o.recompletions.map((r) => `   concluded again: ${r}`)];
  return [p.title, ...textTable(["", "value"], rows).map((l) => `   ${l}`), ...flips];
}

export function renderFairness(alone: FairnessPhase, noisy: FairnessPhase): string[] {
  const row = (label: string, f: FairnessPhase) => [
    label,
    String(f.quiet.pushes),
    String(f.quiet.pushes - f.quiet.unconcluded),
    seconds(f.quiet.latency.p50),
    seconds(f.quiet.latency.p99),
    seconds(f.quiet.latency.max),
    f.phaseAck ? `${ms(f.phaseAck.latency.p99)} [${statusText(f.phaseAck.statuses, f.phaseAck.failures)}]` : "–",
    String(f.leftInQueue),
  ];
  return [
    alone.title,
    noisy.title,
    ...textTable(
      ["quiet installations", "pushes", "concluded", "p50 s", "p99 s", "max s", "phase ack p99 ms [statuses]", "jobs left in queue"],
      [row("alone", alone), row("with the noisy installation", noisy)],
    ).map((l) => `   ${l}`),
    ...[["alone", alone], ["with the noisy installation", noisy]].map(([label, f]) => `   slowest quiet pushes ${label as string}: ${(f as FairnessPhase).quiet.slowest.join("; ")}`),
    ...[["alone", alone], ["with the noisy installation", noisy]].flatMap(([label, f]) => (f as FairnessPhase).quiet.slowestTraces.map((t) => `     trace ${label as string}: ${t}`)),
  ];
}

export function verdicts(main: MainPhase, alone: FairnessPhase | null, noisy: FairnessPhase | null): string[] {
  const o = main.outcomes;
  const lines = [
    `target ack p99 < 50 ms under the soak: ${main.ack.latency.p99 < 50 ? "PASS" : "FAIL"} (${ms(main.ack.latency.p99)} ms)`,
    `target every push concluded exactly once: ${o.exactlyOnce === o.pushes ? "PASS" : "FAIL"} (${o.exactlyOnce}/${o.pushes}; ${o.unconcluded} unconcluded, ${o.duplicateRuns} with duplicate runs, ${o.recompleted} re-completed, ${o.flipped.length} of them with a changed verdict)`,
    `target every branch's last push judged: ${o.tipsEvaluated === o.branches ? "PASS" : "FAIL"} (${o.tipsEvaluated}/${o.branches})`,
    `target queue drains: ${main.drainMs === null ? `FAIL (not within ${seconds(main.drainBoundMs)} s)` : `PASS (${seconds(main.drainMs)} s)`}; GitHub's write floor for this load ${seconds(main.writeFloorMs)} s`,
  ];
  if (alone && noisy) {
    const a = alone.quiet.latency.p99;
    const b = noisy.quiet.latency.p99;
    const ratio = b / a;
    const ok = Number.isFinite(ratio) && ratio <= FAIRNESS_FACTOR;
    lines.push(`target quiet installations' p99 with a noisy neighbour ≤ ${FAIRNESS_FACTOR}× alone: ${ok ? "PASS" : "FAIL"} (${seconds(b)} s vs ${seconds(a)} s${Number.isFinite(ratio) ? `, ${ratio.toFixed(1)}×` : ""})`);
  }
  return lines;
}

export function renderProblems(problems: ReadonlyMap<string, number>): string[] {
  if (problems.size === 0) return ["worker processes logged nothing at warn or above"];
  const top = [...problems.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  return ["worker log lines at warn or above (count × message):", ...top.map(([m, n]) => `   ${String(n).padStart(6)} × ${m}`)];
}

/** The sending window, from the achieved rate (sent / rate). */
const durationMs = (p: MainPhase) => (p.ack.sent / p.ack.achievedPerSecond) * 1000;

const pct = (a: number, b: number) => (b === 0 ? "–" : `${((a / b) * 100).toFixed(1)}%`);
