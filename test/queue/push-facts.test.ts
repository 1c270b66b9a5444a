import { afterAll, describe, expect, it } from "vitest";
import type { CheckJob } from "../../src/queue/check-job.js";
import { mergePushFacts, withPushFacts } from "../../src/queue/push-facts.js";
import { scratchRedis } from "../store/scratch-redis.js";

const SHA = "a".repeat(40);
const base = (over: Partial<CheckJob>): CheckJob => ({
  installationId: 1, repoId: 2, owner: "acme", repo: "app", sha: SHA, branch: "claude/fix", trigger: "push", deliveryId: "d", before: null,
  prNumber: null, baseSha: null, defaultBranch: "main", actor: {}, enqueuedAt: 1, ...over,
});
const push = base({ before: "b".repeat(40), actor: { sender: { login: "claude[bot]", id: 209825114, type: "Bot" }, branch: "claude/fix", commits: [{ sha: SHA, message: "fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>" }] } });
const suite = base({ trigger: "check_suite", deliveryId: "d2", actor: { sender: { login: "alice" }, branch: "claude/fix" } });

const scratch = scratchRedis();
afterAll(async () => scratch.drop());

describe("a check_suite that replaced the push's job", () => {
  it("takes back the push's base and commits, keeping its own trigger and sender", () => {
    const merged = mergePushFacts(suite, push);
    expect(merged).toMatchObject({ trigger: "check_suite", deliveryId: "d2", before: "b".repeat(40), actor: { sender: { login: "alice" }, branch: "claude/fix" } });
    expect(merged.actor.commits).toEqual(push.actor.commits);
  });

  it("reads the first delivery kept for the pending SHA, and ignores another SHA's or a broken one", async () => {
    const scope = { installationId: 1, repoId: 2 };
    const key = scratch.keys.pendingJobs(scope, "claude/fix");
    expect(await withPushFacts(scratch.redis, scratch.keys, scope, suite)).toEqual(suite);
    await scratch.redis.hset(key, SHA, JSON.stringify(push));
    expect((await withPushFacts(scratch.redis, scratch.keys, scope, suite)).before).toBe("b".repeat(40));
    await scratch.redis.hset(key, SHA, "{not json");
    expect(await withPushFacts(scratch.redis, scratch.keys, scope, suite)).toEqual(suite);
    await scratch.redis.hset(key, SHA, JSON.stringify({ ...push, repoId: 99 }));
    expect(await withPushFacts(scratch.redis, scratch.keys, scope, suite)).toEqual(suite);
  });
});
