import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { bodyOf, hashEntry, ledgerEntrySchema, parseAnchor, signatureMatches, verifyChain, type LedgerKey, type StoredEntry, type VerifyResult } from "../core/ledger.js";
import { INSECURE_DEV_KEY_ID, LedgerKeyError, ledgerKeyFromEnv } from "../store/ledger-key.js";
import { resolveLedgerRepo } from "../store/ledger-repos.js";
import { findBySha, readEntries, verifyLedger, type LedgerHead } from "../store/ledger-store.js";
import { redisKeys, type RepoScope } from "../store/redis-keys.js";
import { UsageError, type Io } from "./io.js";
import { renderLedgerEntry, type EntrySeal } from "./render-ledger-entry.js";

export const LEDGER_USAGE = `Usage: plumbline ledger verify --repo <id|owner/name> [--installation ID] [--expected-head SEQ:HASH] [--format text|json]
       plumbline ledger verify --in FILE [--repo ID] [--expected-head SEQ:HASH]
       plumbline ledger export --repo <id|owner/name> [--installation ID] [--out FILE]
       plumbline ledger show <SHA> --repo <id|owner/name> [--installation ID] [--format text|json]

The provenance ledger: one hash-chained, HMAC-signed log of verdicts per repository.
  verify   checks every entry and names the first bad one (edited, deleted/gap, reordered,
           bad-signature, truncated, malformed). --expected-head is an outside anchor, e.g. the
           "chain head" printed in a check run summary; without it only the stored head is used.
           --in verifies an export offline (no Redis).
  export   writes the entries as NDJSON, one {"streamId","entry"} object a line (stdout or --out)
  show     why Plumbline decided what it did on a commit (full SHA or a prefix of ≥ 7)
Environment: REDIS_URL (default redis://127.0.0.1:6379), PLUMBLINE_PREFIX (default pl),
  LEDGER_KEY (verify; show checks signatures when set). --insecure-dev-key uses the fixed
  development key instead (refused when NODE_ENV=production).
Exit: 0 ok, 1 verify found a bad entry (show: no entry for that commit), 2 usage or configuration.`;

type Env = Readonly<Record<string, string | undefined>>;
type Values = { repo?: string; installation?: string; "expected-head"?: string; out?: string; in?: string; format?: string; "insecure-dev-key"?: boolean };

export async function ledgerCommand(args: string[], io: Io, env: Env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      repo: { type: "string" },
      installation: { type: "string" },
      "expected-head": { type: "string" },
      out: { type: "string" },
      in: { type: "string" },
      format: { type: "string", default: "text" },
      "insecure-dev-key": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined) {
    io.stdout(LEDGER_USAGE + "\n");
    return values.help ? 0 : 2;
  }
  if (!["text", "json"].includes(values.format!)) throw new UsageError(`--format must be text or json, got \`${values.format}\``);
  if (sub === "verify" && values.in !== undefined) return verifyFile(values, io, env);
  if (!["verify", "export", "show"].includes(sub)) throw new UsageError(`unknown ledger command \`${sub}\`; expected verify, export or show`);
  if (sub === "show" ? rest.length !== 1 : rest.length !== 0) throw new UsageError(sub === "show" ? "show takes exactly one commit SHA" : `unexpected argument ${rest.join(" ")}`);
  if (!values.repo) throw new UsageError("--repo <id|owner/name> is required");
  const installation = values.installation === undefined ? null : positiveInt(values.installation, "--installation");

  const key = sub === "export" ? null : loadKey(values, env, sub === "verify", io);
  if (key === undefined) return 2;
  const redis = await connect(env.REDIS_URL ?? "redis://127.0.0.1:6379", io);
  if (!redis) return 2;
  try {
    const keys = redisKeys(env.PLUMBLINE_PREFIX || "pl");
    const found = await resolveLedgerRepo(redis, keys, values.repo, installation);
    if (!found.ok) {
      io.stderr(`plumbline ledger: ${found.reason}\n`);
      return 2;
    }
    const scope = found.scope;
    if (sub === "export") return await exportLedger(redis, keys, scope, values.out, io);
    if (sub === "show") return await show(redis, keys, scope, rest[0]!, key, values.format!, io);
    const expectedHead = values["expected-head"] === undefined ? null : anchorArg(values["expected-head"]);
    const r = await verifyLedger(redis, keys, scope, key!, { expectedHead });
    report(r, scope, r.storedHead, key!, values.format!, io);
    return r.ok ? 0 : 1;
  } finally {
    redis.disconnect();
  }
}

/** undefined: the problem was printed (exit 2). null: no key and none needed (show checks nothing). */
function loadKey(values: Values, env: Env, required: boolean, io: Io): LedgerKey | null | undefined {
  if (!required && !env.LEDGER_KEY && !values["insecure-dev-key"]) return null;
  try {
    return ledgerKeyFromEnv(env, { insecureDevKey: values["insecure-dev-key"] === true });
  } catch (err) {
    if (!(err instanceof LedgerKeyError)) throw err;
    io.stderr(`plumbline ledger: ${err.message}\n`);
    return undefined;
  }
}

async function connect(url: string, io: Io): Promise<Redis | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  // Reported once below; ioredis would otherwise print unhandled error events.
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return redis;
  } catch (err) {
    io.stderr(`plumbline ledger: cannot reach Redis at ${where(url)}: ${(err as Error).message}\n`);
    redis.disconnect();
    return null;
  }
}

/** Host and port only: a REDIS_URL may carry a password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}`;
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

async function exportLedger(redis: Redis, keys: ReturnType<typeof redisKeys>, scope: RepoScope, out: string | undefined, io: Io): Promise<number> {
  const file: WriteStream | null = out ? createWriteStream(out) : null;
  if (file) {
    await once(file, "open").catch((err: Error) => {
      throw new UsageError(`cannot create ${out}: ${err.message}`);
    });
  }
  let n = 0;
  for await (const e of readEntries(redis, keys, scope)) {
    const line = exportLine(e);
    if (file) {
      if (!file.write(line)) await once(file, "drain");
    } else io.stdout(line);
    n++;
  }
  if (file) {
    file.end();
    await once(file, "finish");
  }
  io.stderr(`plumbline ledger: exported ${n} entr${n === 1 ? "y" : "ies"} of repository ${scope.repoId}${out ? ` to ${out}` : ""}\n`);
  return 0;
}

/** The stored text is kept verbatim when it parses, so an export is exactly what Redis held. */
function exportLine(e: StoredEntry): string {
  let parses = true;
  try {
    JSON.parse(e.json);
  } catch {
    parses = false;
  }
  return parses ? `{"streamId":${JSON.stringify(e.streamId)},"entry":${e.json}}\n` : `${JSON.stringify({ streamId: e.streamId, raw: e.json })}\n`;
}

async function verifyFile(values: Values, io: Io, env: Env): Promise<number> {
  const key = loadKey(values, env, true, io);
  if (!key) return 2;
  const repoId = values.repo === undefined ? undefined : positiveInt(values.repo, "--repo (a numeric id with --in)");
  const expectedHead = values["expected-head"] === undefined ? null : anchorArg(values["expected-head"]);
  const entries: StoredEntry[] = [];
  let lineNo = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(values.in!), crlfDelay: Infinity })) {
      lineNo++;
      if (line.trim() === "") continue;
      entries.push(importLine(line, lineNo));
    }
  } catch (err) {
    throw new UsageError(`cannot read ${values.in}: ${(err as Error).message}`);
  }
  const r = verifyChain(entries, key, { ...(repoId ? { repoId } : {}), expectedHead });
  const first = entries.length ? safeRepo(entries[0]!.json) : null;
  report(r, { installationId: first?.installationId ?? 0, repoId: repoId ?? first?.repoId ?? 0 }, null, key, values.format!, io);
  return r.ok ? 0 : 1;
}

function importLine(line: string, lineNo: number): StoredEntry {
  try {
    const o = JSON.parse(line) as { streamId?: unknown; entry?: unknown; raw?: unknown };
    const streamId = typeof o.streamId === "string" ? o.streamId : `line ${lineNo}`;
    if (typeof o.raw === "string") return { streamId, json: o.raw };
    return { streamId, json: o.entry === undefined ? "" : JSON.stringify(o.entry) };
  } catch {
    return { streamId: `line ${lineNo}`, json: line };
  }
}

function safeRepo(json: string): { installationId: number; repoId: number } | null {
  try {
    const o = JSON.parse(json) as { installationId?: unknown; repoId?: unknown };
    return typeof o.installationId === "number" && typeof o.repoId === "number" ? { installationId: o.installationId, repoId: o.repoId } : null;
  } catch {
    return null;
  }
}

function report(r: VerifyResult, scope: RepoScope, storedHead: LedgerHead | null, key: LedgerKey, format: string, io: Io): void {
  if (format === "json") {
    io.stdout(JSON.stringify({ ok: r.ok, repo: scope, keyId: key.id, checked: r.checked, firstBad: r.firstBad, head: r.head, storedHead }, null, 2) + "\n");
    return;
  }
  const repo = `repository ${scope.repoId}${scope.installationId ? ` (installation ${scope.installationId})` : ""}`;
  if (key.id === INSECURE_DEV_KEY_ID) io.stderr("plumbline ledger: checking with the insecure development key: a valid chain proves nothing\n");
  if (r.ok) {
    io.stdout(r.head ? `ledger OK: ${repo}: ${r.checked} entr${r.checked === 1 ? "y" : "ies"} verified; head ${r.head.seq}:${r.head.hash}${r.head.streamId ? ` (entry ${r.head.streamId})` : ""}\n` : `ledger OK: ${repo}: the ledger is empty\n`);
    return;
  }
  const b = r.firstBad!;
  const at = b.streamId ? `stream id ${b.streamId}, position ${b.position}` : "past the end of the stream";
  io.stdout(
    [
      `ledger verify FAILED: ${repo}`,
      `  first bad entry: seq ${b.seq} (${at}): ${b.reason} — ${b.detail}`,
      `  ${r.checked} entr${r.checked === 1 ? "y" : "ies"} before it verified${r.head ? `; last good ${r.head.seq}:${r.head.hash}` : ""}`,
    ].join("\n") + "\n",
  );
}

async function show(redis: Redis, keys: ReturnType<typeof redisKeys>, scope: RepoScope, sha: string, key: LedgerKey | null, format: string, io: Io): Promise<number> {
  if (!/^[0-9a-fA-F]{7,64}$/.test(sha)) throw new UsageError(`expected a commit SHA (or a prefix of at least 7 hex digits), got \`${sha}\``);
  const found = await findBySha(redis, keys, scope, sha);
  if (found.length === 0) {
    io.stderr(`plumbline ledger: no ledger entry for commit ${sha} in repository ${scope.repoId}\n`);
    return 1;
  }
  const shown = found.map((s) => {
    const parsed = parseStored(s.json);
    const seal: EntrySeal = !parsed ? "invalid" : !key ? "unchecked" : hashEntry(parsed.prevHash, bodyOf(parsed)) === parsed.hash && signatureMatches(parsed, key) ? "valid" : "invalid";
    return { streamId: s.streamId!, entry: parsed, seal };
  });
  if (format === "json") {
    io.stdout(JSON.stringify(shown.map((s) => ({ streamId: s.streamId, signature: s.seal, entry: s.entry ?? null })), null, 2) + "\n");
    return 0;
  }
  const heads = new Set(shown.flatMap((s) => (s.entry ? [s.entry.headSha] : [])));
  const blocks = shown.map((s) => (s.entry ? renderLedgerEntry(s.streamId, s.entry, s.seal, key?.id ?? null) : `entry at stream id ${s.streamId}: MALFORMED (does not parse as a ledger entry); run \`plumbline ledger verify\``));
  io.stdout(`${shown.length} ledger entr${shown.length === 1 ? "y" : "ies"} for ${[...heads].join(", ") || sha} in repository ${scope.repoId}, newest first\n\n${blocks.join("\n\n")}\n`);
  return 0;
}

function parseStored(json: string) {
  try {
    const r = ledgerEntrySchema.safeParse(JSON.parse(json));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

function anchorArg(text: string) {
  const a = parseAnchor(text);
  if (!a) throw new UsageError(`--expected-head takes SEQ:HASH or HASH (64 hex digits), got \`${text}\``);
  return a;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer, got \`${text}\``);
  return n;
}
