import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendEntry, type AppendResult } from "../../src/store/ledger-store.js";
import { ledgerKeyFromEnv } from "../../src/store/ledger-key.js";
import { sampleRecord, shaOf, TEST_KEY, TEST_KEY_TEXT } from "../helpers/ledger-fixtures.js";
import { runCli } from "../helpers/run-cli.js";
import { scratchRedis, type ScratchRedis } from "../store/scratch-redis.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("plumbline ledger", () => {
  let s: ScratchRedis;
  let dir: string;
  let appended: AppendResult[];
  const scope = { installationId: 7, repoId: 4242 };
  const env = (extra: Record<string, string> = {}) => ({ REDIS_URL, PLUMBLINE_PREFIX: s.keys.prefix, LEDGER_KEY: TEST_KEY_TEXT, NODE_ENV: "test", ...extra });
  const ledger = (args: string[], extra: Record<string, string> = {}) => runCli(["ledger", ...args], { env: env(extra) });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "plumbline-ledger-cli-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    s = scratchRedis();
    appended = [];
    for (let i = 1; i <= 6; i++) appended.push(await appendEntry(s.redis, s.keys, scope, sampleRecord(i), TEST_KEY));
  });
  afterEach(async () => {
    await s.drop();
  });

  const noSecrets = (r: { stdout: string; stderr: string }) => {
    expect(r.stdout).not.toContain(TEST_KEY_TEXT);
    expect(r.stderr).not.toContain(TEST_KEY_TEXT);
  };

  it("verify: exit 0 by id or by name, with the head to anchor on", () => {
    const byId = ledger(["verify", "--repo", "4242"]);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(`ledger OK: repository 4242 (installation 7): 6 entries verified; head 6:${appended[5]!.hash} (entry ${appended[5]!.streamId})\n`);
    noSecrets(byId);
    expect(ledger(["verify", "--repo", "Acme/App"]).code).toBe(0);
    const json = ledger(["verify", "--repo", "4242", "--installation", "7", "--format", "json", "--expected-head", `6:${appended[5]!.hash}`]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, checked: 6, firstBad: null, head: { seq: 6 }, storedHead: { seq: 6 } });
  });

  it("verify: exit 1 naming the first bad entry (deleted, truncated against an anchor)", async () => {
    await s.redis.xdel(s.keys.ledger(scope), appended[2]!.streamId);
    const r = ledger(["verify", "--repo", "acme/app"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`first bad entry: seq 4 (stream id ${appended[3]!.streamId}, position 3): deleted/gap — seq 3 is missing before it`);
    expect(r.stdout).toContain("2 entries before it verified");

    const future = ledger(["verify", "--repo", "4242", "--expected-head", `9:${"c".repeat(64)}`]);
    expect(future.code).toBe(1);
  });

  it("verify: a check run's bare head hash is an anchor too", async () => {
    await s.redis.xdel(s.keys.ledger(scope), appended[5]!.streamId);
    await s.redis.hset(s.keys.ledgerHead(scope), "seq", 5, "hash", appended[4]!.hash);
    expect(ledger(["verify", "--repo", "4242"]).code).toBe(0);
    const r = ledger(["verify", "--repo", "4242", "--expected-head", appended[5]!.hash]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("seq 6 (past the end of the stream): truncated");
  });

  it("export writes NDJSON that verifies offline, and an edited export names the entry", () => {
    const out = join(dir, "ledger.ndjson");
    const r = ledger(["export", "--repo", "4242", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("exported 6 entries of repository 4242");
    const lines = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[0]!)).toMatchObject({ streamId: appended[0]!.streamId, entry: { seq: 1, headSha: shaOf(1) } });
    expect(ledger(["verify", "--in", out, "--repo", "4242"]).code).toBe(0);

    const tampered = lines.map((l, i) => (i === 3 ? l.replace('"trigger":"pull_request"', '"trigger":"push"') : l));
    expect(tampered[3]).not.toBe(lines[3]);
    writeFileSync(out, tampered.join("\n") + "\n");
    const bad = ledger(["verify", "--in", out]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`first bad entry: seq 4 (stream id ${appended[3]!.streamId}, position 4): edited`);

    const stdout = ledger(["export", "--repo", "acme/app"]);
    expect(stdout.stdout.trimEnd().split("\n")).toEqual(lines);
  });

  it("show: who, what and why for a commit, as text and JSON", () => {
    const r = ledger(["show", shaOf(3), "--repo", "acme/app"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`1 ledger entry for ${shaOf(3)} in repository 4242`);
    expect(r.stdout).toContain(`entry 3 · stream id ${appended[2]!.streamId}`);
    expect(r.stdout).toContain(`signature valid (key ${TEST_KEY.id})`);
    expect(r.stdout).toMatch(/decision\s+failure {2}\(check run 1003; 1 invariant\(s\) evaluated\)/);
    expect(r.stdout).toMatch(/actor\s+agent claude-code \(login claude\[bot\]\) — decided by sender, an authenticated signal: claude\[bot\]/);
    expect(r.stdout).toContain(`digest ${"d".repeat(64)} · engine 0.1.0 · 1 file(s)`);
    expect(r.stdout).toMatch(/FAIL {2}core-is-pure \(import-boundary, block\) · 1 introduced · coverage 120 edges/);
    expect(r.stdout).toContain("core-is-pure  src/core/x.ts:3  import-boundary.forbidden");

    const json = ledger(["show", shaOf(3), "--repo", "4242", "--format", "json"]);
    expect(JSON.parse(json.stdout)).toEqual([{ streamId: appended[2]!.streamId, signature: "valid", entry: expect.objectContaining({ seq: 3, checkRun: { id: 1003, conclusion: "failure" } }) }]);

    const unchecked = runCli(["ledger", "show", shaOf(3), "--repo", "4242"], { env: { ...env(), LEDGER_KEY: "" } });
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain("signature not checked");
    expect(ledger(["show", "f".repeat(40), "--repo", "4242"]).code).toBe(1);
  });

  it("exit 2 for usage and configuration problems, never printing the key", () => {
    const noKey = runCli(["ledger", "verify", "--repo", "4242"], { env: { ...env(), LEDGER_KEY: "" } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("LEDGER_KEY is not set");
    const short = ledger(["verify", "--repo", "4242"], { LEDGER_KEY: "too-short-secret" });
    expect(short.code).toBe(2);
    expect(short.stderr).not.toContain("too-short-secret");
    const prod = runCli(["ledger", "verify", "--repo", "4242", "--insecure-dev-key"], { env: { ...env(), LEDGER_KEY: "", NODE_ENV: "production" } });
    expect(prod.code).toBe(2);
    expect(prod.stderr).toContain("required in production");
    expect(ledger(["verify"]).code).toBe(2);
    expect(ledger(["verify", "--repo", "nobody/nothing"]).stderr).toContain("no ledger is known under the name nobody/nothing");
    expect(ledger(["verify", "--repo", "999999"]).code).toBe(2);
    expect(ledger(["frobnicate", "--repo", "4242"]).code).toBe(2);
    expect(ledger(["verify", "--repo", "4242", "--expected-head", "nope"]).code).toBe(2);
    const down = runCli(["ledger", "verify", "--repo", "4242"], { env: { ...env(), REDIS_URL: "redis://:sekrit@127.0.0.1:1" } });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("cannot reach Redis at 127.0.0.1:1");
    expect(down.stderr).not.toContain("sekrit");
    for (const r of [noKey, short, prod, down]) noSecrets(r);
  });

  it("the insecure development key works when asked for, and says what it is", async () => {
    const dev = scratchRedis();
    try {
      const key = ledgerKeyFromEnv({}, { insecureDevKey: true });
      await appendEntry(dev.redis, dev.keys, scope, sampleRecord(1), key);
      const r = runCli(["ledger", "verify", "--repo", "4242", "--insecure-dev-key"], { env: { REDIS_URL, PLUMBLINE_PREFIX: dev.keys.prefix, LEDGER_KEY: "", NODE_ENV: "development" } });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("insecure development key");
    } finally {
      await dev.drop();
    }
  });
});
