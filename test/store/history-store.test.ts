import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendRecord, deleteRepoData, readHistory, recordMerge } from "../../src/store/history-store.js";
import { lookupRepo, rememberRepoName } from "../../src/store/repo-names.js";
import { audit, H, inv, push, shaOf, T0 } from "../core/drift-fixtures.js";
import { scratchRedis, type ScratchRedis } from "./scratch-redis.js";

describe("history store", () => {
  let s: ScratchRedis;
  beforeEach(() => {
    s = scratchRedis();
  });
  afterEach(async () => {
    await s.drop();
  });
  const scope = { installationId: 1, repoId: 1 };

  it("keeps the newest `limit` records, oldest first", async () => {
    for (let h = 0; h < 15; h++) await appendRecord(s.redis, s.keys, scope, audit(h, [inv("a", { matched: h })]), { limit: 10 });
    const all = await readHistory(s.redis, s.keys, scope);
    expect(all.map((r) => r.invariants[0]!.coverage.matched)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(await s.redis.llen(s.keys.history(scope))).toBe(10);
    expect((await readHistory(s.redis, s.keys, scope, { limit: 3 })).map((r) => r.invariants[0]!.coverage.matched)).toEqual([12, 13, 14]);
  });

  it("a lowered limit trims on the next append", async () => {
    for (let h = 0; h < 12; h++) await appendRecord(s.redis, s.keys, scope, audit(h, []), { limit: 100 });
    await appendRecord(s.redis, s.keys, scope, audit(12, []), { limit: 4 });
    expect(await s.redis.llen(s.keys.history(scope))).toBe(4);
  });

  it("refuses a malformed record and skips a corrupt stored one", async () => {
    await expect(appendRecord(s.redis, s.keys, scope, { ...audit(0, []), at: "yesterday" })).rejects.toThrow();
    await appendRecord(s.redis, s.keys, scope, audit(0, []));
    await s.redis.rpush(s.keys.history(scope), "{not json", JSON.stringify({ v: 99 }));
    await appendRecord(s.redis, s.keys, scope, audit(1, []));
    expect((await readHistory(s.redis, s.keys, scope)).map((r) => r.at)).toEqual([audit(0, []).at, audit(1, []).at]);
  });

  it("keeps tenants apart: same repository id under another installation, and repository 11 next to 1", async () => {
    const other = { installationId: 2, repoId: 1 };
    const eleven = { installationId: 1, repoId: 11 };
    await appendRecord(s.redis, s.keys, scope, audit(0, [inv("mine")]));
    await appendRecord(s.redis, s.keys, other, audit(0, [inv("theirs")]));
    await appendRecord(s.redis, s.keys, eleven, audit(0, [inv("eleven")]));
    expect((await readHistory(s.redis, s.keys, other)).map((r) => r.invariants[0]!.id)).toEqual(["theirs"]);

    await rememberRepoName(s.redis, s.keys, scope, "acme/widgets");
    await rememberRepoName(s.redis, s.keys, eleven, "acme/gadgets");
    await s.redis.set(s.keys.blob(scope, "abc"), "text");
    await s.redis.hset(s.keys.ledgerRepos(), "id:1", "1:1", "id:11", "1:11");
    const deleted = await deleteRepoData(s.redis, s.keys, scope);
    expect(deleted).toBe(2);
    expect(await s.redis.keys(`${s.keys.repo(scope)}:*`)).toEqual([]);
    expect(await readHistory(s.redis, s.keys, scope)).toEqual([]);
    expect(await readHistory(s.redis, s.keys, other)).toHaveLength(1);
    expect(await readHistory(s.redis, s.keys, eleven)).toHaveLength(1);
    expect(await lookupRepo(s.redis, s.keys, "acme/widgets")).toBeNull();
    expect(await lookupRepo(s.redis, s.keys, "1")).toBeNull();
    expect(await lookupRepo(s.redis, s.keys, "ACME/Gadgets")).toEqual(eleven);
    expect(await s.redis.hgetall(s.keys.ledgerRepos())).toEqual({ "id:11": "1:11" });
  });

  it("deleteRepoData removes every key under the repository's prefix, whatever it is", async () => {
    const keys = [s.keys.history(scope), s.keys.dashboardIssue(scope), s.keys.runLock(scope, "abc", "Plumbline"), s.keys.ledger(scope), `${s.keys.repo(scope)}:future:kind`];
    for (const k of keys) await s.redis.set(k, "x");
    await s.redis.set(s.keys.repo(scope), "x");
    expect(await deleteRepoData(s.redis, s.keys, scope)).toBe(keys.length + 1);
    expect(await s.redis.exists(s.keys.repo(scope), ...keys)).toBe(0);
  });

  it("records a merge once, with the conclusion of the head's last verdict when GitHub's is not given", async () => {
    const head = push(1, "claude/fix", "claude-code", [inv("a", { status: "fail" })], { sha: shaOf("head"), conclusion: "failure", auditIntervalMs: 2 * H });
    await appendRecord(s.redis, s.keys, scope, audit(0, [inv("a")]));
    await appendRecord(s.redis, s.keys, scope, head);
    const event = { at: new Date(T0 + 2 * H), prNumber: 9, sha: shaOf("head"), branch: "claude/fix", checkConclusion: null, actor: { class: "human" as const, agent: null } };
    expect(await recordMerge(s.redis, s.keys, scope, event)).toBe(true);
    expect(await recordMerge(s.redis, s.keys, scope, event)).toBe(false);
    const history = await readHistory(s.redis, s.keys, scope);
    expect(history).toHaveLength(3);
    expect(history[2]).toMatchObject({ trigger: "merge", merged: { prNumber: 9, checkConclusion: "failure" }, auditIntervalMs: 2 * H, conclusion: "failure" });

    await recordMerge(s.redis, s.keys, scope, { ...event, prNumber: 10, sha: shaOf("unknown"), checkConclusion: "success" });
    expect((await readHistory(s.redis, s.keys, scope)).at(-1)?.merged).toEqual({ prNumber: 10, checkConclusion: "success" });
  });
});

describe("repo names", () => {
  let s: ScratchRedis;
  beforeEach(() => {
    s = scratchRedis();
  });
  afterEach(async () => {
    await s.drop();
  });

  it("finds a repository by name (any case) or id, and honours the installation", async () => {
    await rememberRepoName(s.redis, s.keys, { installationId: 5, repoId: 77 }, "Acme/Widgets");
    expect(await lookupRepo(s.redis, s.keys, "acme/widgets")).toEqual({ installationId: 5, repoId: 77 });
    expect(await lookupRepo(s.redis, s.keys, "77")).toEqual({ installationId: 5, repoId: 77 });
    expect(await lookupRepo(s.redis, s.keys, "acme/widgets", 6)).toBeNull();
    expect(await lookupRepo(s.redis, s.keys, "78", 6)).toEqual({ installationId: 6, repoId: 78 });
    expect(await lookupRepo(s.redis, s.keys, "78")).toBeNull();
    expect(await lookupRepo(s.redis, s.keys, "not a repo")).toBeNull();
    // A transfer moves the repository to another installation: the newest writer wins.
    await rememberRepoName(s.redis, s.keys, { installationId: 6, repoId: 77 }, "acme/widgets");
    expect(await lookupRepo(s.redis, s.keys, "acme/widgets")).toEqual({ installationId: 6, repoId: 77 });
  });
});
