import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EvaluationRecord } from "../../src/core/drift.js";
import { appendRecord } from "../../src/store/history-store.js";
import { rememberRepoName } from "../../src/store/repo-names.js";
import { audit, inv, push, waiver } from "../core/drift-fixtures.js";
import { freePort } from "../helpers/redis-server.js";
import { runCli } from "../helpers/run-cli.js";
import { scratchRedis, type ScratchRedis } from "../store/scratch-redis.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const HOUR = 3_600_000;
/** History relative to the real clock: the binary judges it as of now. */
const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR).toISOString();

describe("plumbline drift", () => {
  let s: ScratchRedis;
  const scope = { installationId: 3, repoId: 300 };
  const env = () => ({ REDIS_URL, PLUMBLINE_PREFIX: s.keys.prefix });
  const seed = async (records: EvaluationRecord[], target = scope, name = "acme/widgets") => {
    await rememberRepoName(s.redis, s.keys, target, name);
    for (const r of records) await appendRecord(s.redis, s.keys, target, r);
  };

  beforeEach(() => {
    s = scratchRedis();
  });
  afterEach(async () => {
    await s.drop();
  });

  const decayed = () => [
    audit(0, [inv("core-is-pure", { matched: 120 }), inv("no-console")], { at: hoursAgo(5) }),
    audit(1, [inv("core-is-pure", { matched: 30 }), inv("no-console", { matched: 0 })], { at: hoursAgo(4), waivers: [waiver("expired", "src/old.ts", "no-console")] }),
    push(2, "claude/fix", "claude-code", [inv("core-is-pure", { fps: ["aaaa1111"] })], { at: hoursAgo(3) }),
    push(3, "claude/fix", "claude-code", [inv("core-is-pure", { fps: ["aaaa1111"] })], { at: hoursAgo(2) }),
    push(4, "claude/fix", "claude-code", [inv("core-is-pure", { fps: ["aaaa1111"] })], { at: hoursAgo(1) }),
  ];

  it("prints the signals as text and exits 1", async () => {
    await seed(decayed());
    const out = runCli(["drift", "--repo", "acme/widgets"], { env: env() });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("acme/widgets (installation 3, repository 300): 5 evaluations");
    expect(out.stdout).toMatch(/vacuous no-console on main since/);
    expect(out.stdout).toMatch(/shrinking-coverage core-is-pure on main/);
    expect(out.stdout).toMatch(/waiver-rot no-console on main/);
    expect(out.stdout).toMatch(/violation-loop core-is-pure on claude\/fix/);
    expect(out.stdout).toMatch(/claude-code \+aaaa1111/);
  });

  it("prints JSON, found by id as well as by name in any case", async () => {
    await seed(decayed());
    for (const repo of ["ACME/Widgets", "300"]) {
      const out = runCli(["drift", "--repo", repo, "--format", "json"], { env: env() });
      expect(out.code).toBe(1);
      const report = JSON.parse(out.stdout) as { installationId: number; repoId: number; evaluations: number; signals: { type: string; invariant: string | null }[] };
      expect(report).toMatchObject({ installationId: 3, repoId: 300, evaluations: 5 });
      expect(report.signals.map((x) => `${x.type}:${x.invariant}`)).toEqual(["vacuous:no-console", "shrinking-coverage:core-is-pure", "waiver-rot:no-console", "violation-loop:core-is-pure"]);
      expect(out.stderr).toBe("");
    }
  });

  it("reads only its own tenant and exits 0 when nothing decayed", async () => {
    await seed(decayed());
    const other = { installationId: 4, repoId: 300 };
    await seed([audit(0, [inv("a")], { at: hoursAgo(1) })], other, "acme/other");
    const out = runCli(["drift", "--repo", "300", "--installation", "4"], { env: env() });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("(installation 4, repository 300): 1 evaluation,");
    expect(out.stdout).toContain("No decay.");
  });

  it("a narrower window forgets old trends", async () => {
    await seed(decayed());
    const out = runCli(["drift", "--repo", "acme/widgets", "--format", "json", "--window", "30m"], { env: env() });
    const types = (JSON.parse(out.stdout) as { signals: { type: string }[] }).signals.map((x) => x.type);
    expect(types).toEqual(["vacuous", "waiver-rot"]);
  });

  it("exits 2 on an unknown repository, a usage error or an unreachable Redis", async () => {
    const unknown = runCli(["drift", "--repo", "acme/nope"], { env: env() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no repository `acme/nope` known");

    expect(runCli(["drift"], { env: env() })).toMatchObject({ code: 2, stderr: expect.stringContaining("--repo is required") });
    expect(runCli(["drift", "--repo", "a/b", "--format", "xml"], { env: env() }).code).toBe(2);
    expect(runCli(["drift", "--repo", "a/b", "--window", "soon"], { env: env() }).code).toBe(2);

    const down = runCli(["drift", "--repo", "acme/widgets"], { env: { REDIS_URL: `redis://:secret@127.0.0.1:${await freePort()}`, PLUMBLINE_PREFIX: s.keys.prefix } });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("cannot reach Redis");
    expect(down.stderr).not.toContain("secret");
  });

  it("--help explains the command", () => {
    const out = runCli(["drift", "--help"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("--repo");
  });
});
