import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { auditIntervalMs, decayPolicyOf, detectDecay, type DecaySignal, type EvaluationRecord } from "../core/drift.js";
import { redisKeys } from "../store/redis-keys.js";
import { readHistory } from "../store/history-store.js";
import { lookupRepo } from "../store/repo-names.js";
import { UsageError, type Io } from "./io.js";
import { redactUrl } from "../store/redact-url.js";

export const DRIFT_USAGE = `Usage: plumbline drift --repo <owner/name|id> [--installation ID] [--format text|json]
                       [--limit N] [--window 30d]

Prints the decay signals of a repository the GitHub App audits, from the history it keeps in
Redis (REDIS_URL, default redis://127.0.0.1:6379; PLUMBLINE_PREFIX, default pl).
  --repo          owner/name, or the numeric repository id
  --installation  the installation id (needed for a bare id the app has not named yet)
  --limit         newest evaluations to read (default: all kept, settings.historyLimit)
  --window        how far back trends look: 30m, 6h, 30d… (default 30d)
Exit: 0 no decay, 1 decay signals, 2 usage, unknown repository or Redis unreachable.`;

export async function driftCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      repo: { type: "string" },
      installation: { type: "string" },
      format: { type: "string", default: "text" },
      limit: { type: "string" },
      window: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout(DRIFT_USAGE + "\n");
    return 0;
  }
  if (!values.repo) throw new UsageError("--repo is required (owner/name or the repository id)");
  const format = values.format!;
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got \`${format}\``);
  const installationId = values.installation === undefined ? null : positiveInt("--installation", values.installation);
  const limit = values.limit === undefined ? undefined : positiveInt("--limit", values.limit);
  const windowMs = values.window === undefined ? undefined : durationOf(values.window);

  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const keys = redisKeys(process.env.PLUMBLINE_PREFIX || "pl");
  // One attempt, no offline queue: a person at a terminal should learn at once that Redis is down.
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  let cause: Error | null = null;
  redis.on("error", (err: Error) => (cause = err)); // connect() rejects too, with a vaguer message
  try {
    try {
      await redis.connect();
    } catch (err) {
      io.stderr(`plumbline drift: cannot reach Redis at ${redactUrl(url)}: ${(cause ?? (err as Error)).message}\n`);
      return 2;
    }
    const scope = await lookupRepo(redis, keys, values.repo, installationId);
    if (!scope) {
      io.stderr(`plumbline drift: no repository \`${values.repo}\` known${installationId ? ` in installation ${installationId}` : ""} under prefix \`${keys.prefix}\`. The app names a repository after its first evaluation; pass --installation with a numeric id otherwise.\n`);
      return 2;
    }
    const history = await readHistory(redis, keys, scope, limit === undefined ? {} : { limit });
    const signals = detectDecay(history, decayPolicyOf(history), io.now(), windowMs === undefined ? {} : { windowMs });
    const span = history.length ? { from: history[0]!.at, to: history.at(-1)!.at } : null;
    if (format === "json") {
      io.stdout(JSON.stringify({ repository: values.repo, installationId: scope.installationId, repoId: scope.repoId, evaluations: history.length, span, signals }, null, 2) + "\n");
    } else {
      io.stdout(renderText(values.repo, scope, history, signals));
    }
    return signals.length > 0 ? 1 : 0;
  } finally {
    // ioredis arms a 2 s timer when disconnecting a connection that never opened: skip it then.
    if (redis.status !== "end") redis.disconnect();
  }
}

function renderText(name: string, scope: { installationId: number; repoId: number }, history: readonly EvaluationRecord[], signals: readonly DecaySignal[]): string {
  const span = history.length ? `, ${history[0]!.at.slice(0, 10)} → ${history.at(-1)!.at.slice(0, 10)}` : "";
  const lines = [`${name} (installation ${scope.installationId}, repository ${scope.repoId}): ${history.length} evaluation${history.length === 1 ? "" : "s"}${span}`];
  if (history.length === 0) lines.push("No history yet: the app records one entry per evaluation (push, PR, scheduled audit).");
  else if (signals.length === 0) lines.push("No decay.");
  else lines.push(`${signals.length} decay signal${signals.length === 1 ? "" : "s"}:`);
  for (const s of signals) {
    const where = [s.invariant, s.branch ? `on ${s.branch}` : null].filter(Boolean).join(" ");
    lines.push(`  ${s.type}${where ? ` ${where}` : ""} since ${s.firstSeen.slice(0, 16).replace("T", " ")} UTC`);
    lines.push(`    ${s.evidence.message}`);
    if (s.type === "violation-loop") {
      for (const l of s.evidence.data.chain) {
        const delta = [...l.introduced.map((f) => `+${f.slice(0, 8)}`), ...l.resolved.map((f) => `-${f.slice(0, 8)}`)].join(" ");
        lines.push(`      ${l.sha.slice(0, 7)} ${l.at.slice(0, 16).replace("T", " ")} ${l.actor}${delta ? ` ${delta}` : ""}`);
      }
    }
  }
  return lines.join("\n") + "\n";
}


function positiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UsageError(`${flag} must be a positive integer, got \`${value}\``);
  return Number(value);
}

function durationOf(value: string): number {
  try {
    return auditIntervalMs(value);
  } catch (err) {
    throw new UsageError(`--window ${(err as Error).message}`);
  }
}
