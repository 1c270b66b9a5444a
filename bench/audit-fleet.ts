import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { AuditRound } from "./audit-round.js";
import { median, seconds, summarize, textTable } from "./latency-stats.js";
import { measureAuditFleet, type AuditFleetResult } from "./measure-audit-fleet.js";
import { KEY_GROUPS } from "./prefix-memory.js";
import { deletePrefix, freshPrefix } from "./redis-prefix.js";
import { countKinds, REQUEST_KINDS, requestKind } from "./request-kinds.js";
import { countRoutes } from "./request-routes.js";

/**
 * The scheduled audit of a fleet of repositories with a warm cache (issue #4): one synthetic
 * repository installed `--repos` times in the GitHub fake, the real app in this process, a
 * cold round then a warm one (see measure-audit-fleet.ts). Called by `npm run bench` (skip
 * with `--audit-repos 0`); standalone: `npx tsx bench/audit-fleet.ts [--repos 100]
 * [--files 1000] [--installations 4] [--workers-concurrency 4]`. Needs Redis at REDIS_URL.
 */

export interface AuditFleetReportOptions {
  readonly repos: number;
  readonly files: number;
  readonly installations: number;
  readonly concurrency: number;
  readonly seed?: number;
  readonly log?: (step: string) => void;
}

export const DEFAULT_INSTALLATIONS = 4;
/** The app's own default (`WORKER_CONCURRENCY`, src/github/app-config.ts). */
export const DEFAULT_CONCURRENCY = 4;

export async function auditFleetReport(opts: AuditFleetReportOptions): Promise<string> {
  const prefix = freshPrefix("audit");
  const onSignal = () => void deletePrefix(prefix).finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  try {
    return renderAuditFleet(await measureAuditFleet({ ...opts, prefix, ...(opts.log ? { log: opts.log } : {}) }));
  } finally {
    process.off("SIGINT", onSignal);
  }
}

export function renderAuditFleet(r: AuditFleetResult): string {
  const o = r.options;
  const size = o.files >= 1000 ? `${o.files / 1000}k` : String(o.files);
  const rounds = [["cold (first audit, empty caches)", r.cold], ["warm (same commit, caches warm)", r.warm]] as const;
  const table = textTable(
    ["audit round", "concluded", "wall s", "audits/s", "p50 s", "p99 s", "in worker p50 s", "p99 s", ...REQUEST_KINDS, "total", "check writes", "peak RSS MiB"],
    rounds.map(([label, round]) => {
      const perAudit = (n: number) => (round.concluded ? (n / round.concluded).toFixed(1) : "–");
      const kinds = countKinds(round.requests);
      const latency = summarize(round.latencyMs);
      const service = summarize(round.serviceMs);
      return [
        label,
        `${round.concluded}/${round.repos}`,
        seconds(round.wallMs),
        Number.isFinite(round.wallMs) ? (round.concluded / (round.wallMs / 1000)).toFixed(2) : "–",
        seconds(latency.p50),
        seconds(latency.p99),
        seconds(service.p50),
        seconds(service.p99),
        ...REQUEST_KINDS.map((k) => perAudit(kinds[k])),
        perAudit(kinds.total),
        perAudit(checkWrites(round)),
        (round.peakRssBytes / 2 ** 20).toFixed(0),
      ];
    }),
  );
  const out = [
    "",
    `== Plumbline GitHub App: scheduled audit of ${o.repos} repositories × ${size} files (fake GitHub over HTTP, real Redis, app in-process, worker concurrency ${o.concurrency}) ==`,
    `   one synthetic ${size} repository installed ${o.repos} times (shared git objects) over ${Math.min(o.installations, o.repos)} installations; every repository's audit job enqueued at once; latency: enqueue → that repository's \`Plumbline audit\` run concluded (as the fake stamped it); in worker: the job's processedOn → finishedOn; GitHub requests per audit between the enqueue and the last conclusion; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`,
    ...table.map((l) => `   ${l}`),
    ...rounds.map(([label, round]) => `   ${label.split(" ")[0]} "other" per audit: ${otherRoutes(round)}; conclusions ${[...new Set(round.conclusions)].join(",") || "none"}${round.failedAttempts.length ? `; failed attempts ${round.failedAttempts.length}: ${round.failedAttempts.slice(0, 3).join(" | ")}` : ""}`),
    `   ${throttleFloor(r)}`,
    `   ${memoryLine(r)}`,
    `   peak RSS of the whole bench process (app + fake + generator, not the fake's git children): ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
  ];
  return out.join("\n");
}

const isCheckWrite = (q: { method: string; path: string }) => q.method !== "GET" && q.path.includes("/check-runs");
const checkWrites = (round: AuditRound): number => round.requests.filter(isCheckWrite).length;

function otherRoutes(round: AuditRound): string {
  const other = round.requests.filter((q) => requestKind(q.path) === "other");
  const n = Math.max(1, round.concluded);
  return countRoutes(other).map(([route, count]) => `${route} ${(count / n).toFixed(2)}`).join(", ") || "none";
}

/**
 * Probot's Octokit allows one write per installation per second per process; an installation
 * whose repositories each need W check-run writes cannot finish sooner than that many seconds.
 */
function throttleFloor(r: AuditFleetResult): string {
  const installations = Math.min(r.options.installations, r.options.repos);
  const busiest = Math.ceil(r.options.repos / installations);
  const perAudit = r.warm.concluded ? checkWrites(r.warm) / r.warm.concluded : Number.NaN;
  // The first write goes out at once: n writes span n − 1 gaps.
  const floorMs = Math.max(0, busiest * perAudit - 1) * 1000;
  return `write throttle: Octokit spaces one installation's writes ≥1 s apart per process; warm audits made ${perAudit.toFixed(1)} check-run writes each, ${busiest} repositories in the busiest installation → warm round ≥ ${seconds(floorMs)} s whatever the CPU (measured ${seconds(r.warm.wallMs)} s; median in-worker ${seconds(median(r.warm.serviceMs))} s)`;
}

function memoryLine(r: AuditFleetResult): string {
  if (!r.memory) return `Redis memory under the prefix: not measured (${r.memoryError ?? "?"})`;
  const m = r.memory;
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const groups = KEY_GROUPS.filter((g) => m.groups[g].keys > 0).map((g) => `${g} ${mib(m.groups[g].bytes)} MiB/${m.groups[g].keys} keys`);
  return `Redis memory under the prefix after both rounds (MEMORY USAGE per key): ${mib(m.bytes)} MiB in ${m.keys} keys, ${(m.bytes / 1024 / r.options.repos).toFixed(0)} KiB per repository (${groups.join(", ")})`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      repos: { type: "string", default: "100" },
      files: { type: "string", default: "1000" },
      installations: { type: "string", default: String(DEFAULT_INSTALLATIONS) },
      "workers-concurrency": { type: "string", default: String(DEFAULT_CONCURRENCY) },
      seed: { type: "string", default: "1" },
    },
  });
  const int = (s: string | undefined, flag: string) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} expects a positive integer, got ${s}`);
    return n;
  };
  const report = await auditFleetReport({
    repos: int(values.repos, "--repos"),
    files: int(values.files, "--files"),
    installations: int(values.installations, "--installations"),
    concurrency: int(values["workers-concurrency"], "--workers-concurrency"),
    seed: int(values.seed, "--seed"),
    log: (s) => process.stderr.write(`[audit-fleet] ${s}…\n`),
  });
  process.stdout.write(`${report}\n`);
  // Probot/ioredis may leave handles that keep the loop alive a while; the report is out.
  process.exit(0);
}
