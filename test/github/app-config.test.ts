import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadAppConfig } from "../../src/github/app-config.js";
import { createRedis, assertRedisSafe, waitReady } from "../../src/store/redis-connection.js";
import { runCli } from "../helpers/run-cli.js";
import { startOwnRedis, stopAndClean } from "../helpers/redis-server.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const good = { APP_ID: "12345", PRIVATE_KEY: pem, WEBHOOK_SECRET: "a-long-enough-secret" };

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadAppConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("loadAppConfig", () => {
  it("accepts a complete environment", () => {
    expect(loadAppConfig(good)).toMatchObject({ appId: 12345, githubApiUrl: "https://api.github.com", redisUrl: "redis://127.0.0.1:6379" });
  });

  it("caps one installation at half of a process's slots unless told otherwise", () => {
    expect(loadAppConfig(good)).toMatchObject({ workerConcurrency: 4, installationConcurrency: 2 });
    expect(loadAppConfig({ ...good, WORKER_CONCURRENCY: "1" })).toMatchObject({ installationConcurrency: 1 });
    expect(loadAppConfig({ ...good, WORKER_CONCURRENCY: "8", INSTALLATION_CONCURRENCY: "8" })).toMatchObject({ installationConcurrency: 8 });
  });

  it("requires LEDGER_KEY in production and warns about the development key elsewhere", () => {
    expect(problemsOf({ ...good, NODE_ENV: "production" }).join()).toContain("LEDGER_KEY is required in production");
    expect(problemsOf({ ...good, LEDGER_KEY: "short" }).join()).toContain("LEDGER_KEY is too short");
    expect(loadAppConfig(good).warnings.join()).toContain("public development key");
    expect(loadAppConfig({ ...good, LEDGER_KEY: "k".repeat(40) }).warnings).toEqual([]);
  });

  it.each([
    ["no webhook secret", { ...good, WEBHOOK_SECRET: undefined }, "set WEBHOOK_SECRET"],
    ["Probot's default secret", { ...good, WEBHOOK_SECRET: "development" }, "too weak"],
    ["no key", { ...good, PRIVATE_KEY: undefined }, "set PRIVATE_KEY (the PEM text) or PRIVATE_KEY_PATH"],
    ["a key path that does not exist", { ...good, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nonexistent/key.pem" }, "PRIVATE_KEY_PATH=/nonexistent/key.pem cannot be read (ENOENT)"],
    ["a key that is not PEM", { ...good, PRIVATE_KEY: "hunter2" }, "does not contain a PEM private key"],
    ["no app id", { ...good, APP_ID: undefined }, "set APP_ID"],
    ["a bad API URL", { ...good, GITHUB_API_URL: "not a url" }, "GITHUB_API_URL must be a URL"],
    ["a per-installation cap that is no count", { ...good, INSTALLATION_CONCURRENCY: "0" }, "INSTALLATION_CONCURRENCY must be an integer from 1 to 64, got 0"],
  ])("refuses %s, saying what to set", (_n, env, message) => {
    expect(problemsOf(env).join("\n")).toContain(message);
  });

  it("never echoes the key or the secret in its messages", () => {
    const all = problemsOf({ ...good, APP_ID: "x", PORT: "99999" }).join("\n");
    expect(all).not.toContain("BEGIN");
    expect(all).not.toContain(good.WEBHOOK_SECRET);
  });

  it("`plumbline serve` exits 2 with the list of what to set", () => {
    const out = runCli(["serve"], { env: { APP_ID: "", PRIVATE_KEY: "", PRIVATE_KEY_PATH: "", WEBHOOK_SECRET: "" } });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("Plumbline cannot start");
    expect(out.stderr).toContain("set WEBHOOK_SECRET");
  });
});

describe("Redis safety at start", () => {
  it("refuses a Redis that evicts keys, and `serve` exits 2 saying how to fix it", async () => {
    const own = await startOwnRedis(["--maxmemory-policy", "allkeys-lru", "--appendonly", "no"]);
    try {
      const r = createRedis(own.url, "worker");
      await waitReady(r);
      await expect(assertRedisSafe(r)).rejects.toThrow(/maxmemory-policy allkeys-lru.*noeviction/);
      r.disconnect();
      const out = runCli(["serve"], { env: { ...good, REDIS_URL: own.url, PORT: "0" } });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain("CONFIG SET maxmemory-policy noeviction");
    } finally {
      await stopAndClean(own);
    }
  });

  it("accepts noeviction and warns when AOF is off", async () => {
    const own = await startOwnRedis(["--maxmemory-policy", "noeviction", "--appendonly", "no"]);
    try {
      const r = createRedis(own.url, "worker");
      await waitReady(r);
      const safety = await assertRedisSafe(r);
      expect(safety.warnings.join()).toContain("appendonly yes");
      r.disconnect();
    } finally {
      await stopAndClean(own);
    }
  });
});
