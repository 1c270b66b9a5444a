import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { genesisHash, LedgerKey, sealer, verifyChain, type LedgerRecord, type StoredEntry } from "../src/core/ledger.js";
import { appendEntry, readEntries, verifyLedger, type AppendResult } from "../src/store/ledger-store.js";
import { redisKeys, type RedisKeys, type RepoScope } from "../src/store/redis-keys.js";

/**
 * Provenance ledger throughput against a real Redis:
 *  - appends/s with 1, 10 and 50 writers on 1, 10 or 50 connections (a connection stands in for a
 *    worker process: writers sharing one take turns, writers on different ones race through the
 *    compare-and-set script; 50 on 50 is the worst case);
 *  - `verify` of a 100k-entry chain: streamed from Redis in pages, and the pure CPU part alone;
 *  - Redis memory per entry (MEMORY USAGE of the stream and the SHA index).
 * `tsx bench/ledger.ts [--appends 5000] [--verify-entries 100000] [--redis URL]`; every key is
 * under a fresh random prefix and deleted at the end.
 */

const { values } = parseArgs({
  options: {
    appends: { type: "string", default: "5000" },
    "verify-entries": { type: "string", default: "100000" },
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
  },
});
const appends = Number(values.appends);
const verifyEntries = Number(values["verify-entries"]);
const url = values.redis!;

const key = new LedgerKey(randomBytes(32));
const keys = redisKeys(`plbench-${randomBytes(6).toString("hex")}`);
const admin = new Redis(url);
let nextRepo = 1;

/** A realistic verdict: 8 invariants, an agent actor, 2 blocking findings, one waiver. */
function record(i: number, scope: RepoScope): LedgerRecord {
  const hex = (n: number, len: number) => n.toString(16).padStart(len, "0");
  return {
    v: 1,
    at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    deliveryId: `${hex(i, 8)}-1f2e-11ef-9a3b-${hex(i, 12)}`,
    trigger: "pull_request",
    installationId: scope.installationId,
    repoId: scope.repoId,
    repoName: `acme/service-${scope.repoId}`,
    ref: "refs/heads/claude/refactor-billing",
    headSha: hex(i, 40),
    baseSha: hex(i + 1, 40),
    actor: { class: "agent", agent: "claude-code", login: "claude[bot]", signal: "sender", evidence: "claude[bot]", forgeable: false },
    policy: { digest: hex(i % 7, 64), engine: "0.1.0", files: [{ path: "invariants/architecture.yml", sha: hex(1, 40) }, { path: "invariants/security.yml", sha: hex(2, 40) }] },
    outcome: "verdict",
    results: Array.from({ length: 8 }, (_, k) => ({
      invariant: `invariant-${k}`,
      kind: k % 2 ? "content" : "import-boundary",
      enforcement: "block",
      status: k === 0 ? ("fail" as const) : ("pass" as const),
      counts: { introduced: k === 0 ? 2 : 0, persisting: 0, resolved: 0, present: 0, waived: k === 1 ? 1 : 0 },
      coverage: { unit: k % 2 ? "files" : "edges", matched: 100 + k },
      evidenceDigest: hex(k + i, 64),
    })),
    blocking: [0, 1].map((k) => ({ invariant: "invariant-0", code: "import-boundary.forbidden", path: `src/core/billing/module-${k}.ts`, line: 10 + k, fingerprint: hex(i * 2 + k, 20) })),
    blockingTotal: 2,
    failingNotices: [],
    waiversApplied: [{ invariant: "invariant-1", path: "src/legacy/**", owner: "@acme/platform", expires: "2027-01-31", used: 1 }],
    checkRun: { id: 9_000_000 + i, conclusion: "failure" },
    timings: { list: 12, policy: 3, snapshot: 140, evaluate: 21 },
  };
}

interface Row {
  readonly label: string;
  readonly entries: number;
  readonly ms: number;
  readonly note: string;
  /** MEMORY USAGE of the SHA index per entry (append runs only). */
  readonly indexBytes?: number;
}

async function appendRun(writers: number, connections: number, total: number): Promise<Row> {
  const scope = { installationId: 1, repoId: nextRepo++ };
  const conns = Array.from({ length: connections }, () => new Redis(url));
  await Promise.all(conns.map((c) => c.ping()));
  const per = Math.ceil(total / writers);
  const t0 = performance.now();
  const results: AppendResult[][] = await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const mine: AppendResult[] = [];
      for (let j = 0; j < per; j++) mine.push(await appendEntry(conns[w % connections]!, keys, scope, record(w * per + j, scope), key));
      return mine;
    }),
  );
  const ms = performance.now() - t0;
  conns.forEach((c) => c.disconnect());
  const attempts = results.flat().map((r) => r.attempts).sort((a, b) => a - b);
  const q = (p: number) => attempts[Math.min(attempts.length - 1, Math.floor(attempts.length * p))];
  const indexBytes = Number(await admin.call("MEMORY", "USAGE", keys.ledgerBySha(scope), "SAMPLES", "0")) / attempts.length;
  return { indexBytes, label: `append, ${writers} writer${writers === 1 ? "" : "s"} / ${connections} connection${connections === 1 ? "" : "s"}`, entries: attempts.length, ms, note: `CAS rounds median ${q(0.5)}, p99 ${q(0.99)}, max ${attempts[attempts.length - 1]}` };
}

/** Fills a chain fast (pipelined XADD, no compare-and-set: one writer) so verify has 100k entries to read. */
async function fill(scope: RepoScope, n: number, k: RedisKeys): Promise<void> {
  let head = { seq: 0, hash: genesisHash(scope.repoId) };
  let id = "";
  for (let start = 0; start < n; start += 1000) {
    const pipe = admin.pipeline();
    for (let i = start; i < Math.min(n, start + 1000); i++) {
      const { entry, json } = sealer(record(i, scope), key)(head);
      pipe.xadd(k.ledger(scope), "*", "e", json);
      head = { seq: entry.seq, hash: entry.hash };
    }
    const res = await pipe.exec();
    id = String(res![res!.length - 1]![1]);
  }
  await admin.hset(k.ledgerHead(scope), "seq", head.seq, "hash", head.hash, "id", id);
}

async function main(): Promise<void> {
  const info = await admin.info("server");
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "?";
  const rows: Row[] = [];
  rows.push(await appendRun(1, 1, appends));
  rows.push(await appendRun(10, 10, appends * 2));
  rows.push(await appendRun(50, 10, appends * 2));
  rows.push(await appendRun(50, 50, appends * 2));

  const big = { installationId: 1, repoId: nextRepo++ };
  await fill(big, verifyEntries, keys);
  const streamBytes = Number(await admin.call("MEMORY", "USAGE", keys.ledger(big), "SAMPLES", "0"));
  let t0 = performance.now();
  const r = await verifyLedger(admin, keys, big, key);
  rows.push({ label: "verify, streamed from Redis", entries: r.checked, ms: performance.now() - t0, note: r.ok ? "ok" : `FAILED ${r.firstBad?.reason}` });
  const stored: StoredEntry[] = [];
  for await (const e of readEntries(admin, keys, big)) stored.push(e);
  t0 = performance.now();
  const mem = verifyChain(stored, key, { repoId: big.repoId });
  rows.push({ label: "verify, in memory (CPU only)", entries: mem.checked, ms: performance.now() - t0, note: mem.ok ? "ok" : "FAILED" });

  // The SHA index of the 10-writer run (a fill writes no index).
  const indexBytes = rows[1]!.indexBytes!;
  const entryJson = stored[0]!.json.length;

  const pad = (s: string, n: number) => s.padEnd(n);
  const lpad = (s: string, n: number) => s.padStart(n);
  const lines = [
    `Plumbline ledger benchmark · Redis ${version} at ${new URL(url).host} · Node ${process.version} · entry ${entryJson} B of JSON (8 invariants)`,
    `${pad("scenario", 36)} ${lpad("entries", 8)} ${lpad("wall s", 8)} ${lpad("entries/s", 10)}  notes`,
    ...rows.map((x) => `${pad(x.label, 36)} ${lpad(String(x.entries), 8)} ${lpad((x.ms / 1000).toFixed(2), 8)} ${lpad(String(Math.round(x.entries / (x.ms / 1000))), 10)}  ${x.note}`),
    `Redis memory: stream ${Math.round(streamBytes / verifyEntries)} B/entry, SHA index ${Math.round(indexBytes)} B/entry (no retention: a ledger is append-only)`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

async function cleanup(): Promise<void> {
  let cursor = "0";
  do {
    const [next, found] = await admin.scan(cursor, "MATCH", `${keys.prefix}:*`, "COUNT", 1000);
    if (found.length) await admin.del(...found);
    cursor = next;
  } while (cursor !== "0");
  admin.disconnect();
}

main().then(cleanup, async (err) => {
  await cleanup();
  process.stderr.write(`bench/ledger: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
