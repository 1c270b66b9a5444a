import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLedger, TEST_LEDGER_KEY } from "./ledger-check.js";
import { allValues, checkJobPayloads, scanKeys } from "./redis-inspect.js";
import { CLEAN, DIRTY, HUMAN, POLICY, startRig, waitFor, type Rig } from "./rig.js";
import { ensureBuilt, spawnPlumbline, type PlumblineProcess } from "./worker-process.js";

/**
 * Two customers share one deployment. Everything repository-scoped is keyed by installation
 * and repository id, so nothing can cross tenants and a renamed or transferred repository keeps
 * its data. And no credential may be written anywhere: the real process's debug log, the job
 * payloads and every value under the prefix are searched for each one.
 */

let rig: Rig;
let app: PlumblineProcess;
let tenants: Array<{ installationId: number; repo: string; repoId: number }>;

beforeAll(async () => {
  ensureBuilt();
  rig = await startRig({ web: false, workers: false });
  app = spawnPlumbline("serve", rig.childEnv({ LOG_LEVEL: "debug", LEDGER_KEY: TEST_LEDGER_KEY, WORKER_CONCURRENCY: "4" }));
  await app.ready;
  rig.fake.setWebhookTarget(app.webhookUrl());
  const { id: other } = rig.fake.createInstallation({ account: { login: "globex", type: "Organization" } });
  tenants = [];
  for (const [installationId, repo] of [[rig.installationId, "acme/one"], [other, "globex/two"]] as const) {
    await rig.fake.createRepo(installationId, { owner: repo.split("/")[0]!, name: repo.split("/")[1]! });
    // Identical files: identical blob ids, which must still be cached once per tenant.
    await rig.fake.commit(repo, { branch: "main", message: "init", files: { "invariants/a.yml": POLICY, "src/a.ts": CLEAN, "src/shared.ts": "export const shared = 1;\n" } });
    tenants.push({ installationId, repo, repoId: rig.fake.repoId(repo) });
  }
}, 240_000);
afterAll(async () => {
  await app?.kill("SIGKILL");
  await rig?.close();
});

const concluded = (repo: string, sha: string) => waitFor(`the run on ${repo}@${sha.slice(0, 7)}`, () => rig.fake.checkRuns(repo, sha).find((r) => r.status === "completed"), 60_000);

describe("tenancy and secrets", () => {
  it("two installations in parallel: every repository key, cache entry, job and ledger belongs to its own installation and repository", async () => {
    const pushes = await Promise.all(
      tenants.flatMap((t) => [0, 1, 2].map(async (i) => ({ t, expected: i === 1 ? "failure" : "success", ...(await rig.fake.push(t.repo, { branch: `b${i}`, message: `m${i}`, files: { [`src/p${i}.ts`]: i === 1 ? DIRTY : CLEAN }, sender: HUMAN })) }))),
    );
    for (const p of pushes) expect((await concluded(p.t.repo, p.sha)).conclusion).toBe(p.expected);
    const valid = new Set(tenants.map((t) => `i${t.installationId}:r${t.repoId}`));
    const keys = await scanKeys(rig.redis, `${rig.prefix}:*`);
    const scoped = keys.filter((k) => /:i\d+:r\d+(:|$)/.test(k));
    const foreign = scoped.filter((k) => !valid.has(/:(i\d+:r\d+)(:|$)/.exec(k)![1]!));
    const unscoped = [...new Set(keys.filter((k) => !scoped.includes(k)).map((k) => k.slice(rig.prefix.length + 1).replace(/[:][^:]*$/, ":…")))];
    console.info(`[tenancy] ${keys.length} keys, ${scoped.length} repository-scoped; unscoped kinds: ${unscoped.slice(0, 12).join(" ")}`);
    expect(foreign).toEqual([]);
    expect(scoped.length).toBeGreaterThan(0);
    // The same blob id is cached in both tenants' scopes, never shared.
    const sharedBlob = scoped.filter((k) => /:blob:/.test(k)).map((k) => k.split(":blob:")[1]!).filter((sha, i, all) => all.indexOf(sha) !== i);
    expect(sharedBlob.length).toBeGreaterThan(0);
    for (const sha of sharedBlob) for (const t of tenants) expect(keys).toContain(`${rig.prefix}:i${t.installationId}:r${t.repoId}:blob:${sha}`);
    // Job payloads pair each repository with its own installation.
    for (const { data } of await checkJobPayloads(rig.redis, rig.prefix)) {
      expect(valid.has(`i${data.installationId}:r${data.repoId}`), JSON.stringify(data).slice(0, 200)).toBe(true);
    }
    for (const t of tenants) {
      const ledger = await checkLedger(rig.redis, rig.keys, { installationId: t.installationId, repoId: t.repoId }, pushes.filter((p) => p.t === t).map((p) => p.sha));
      console.info(`[tenancy] ledger of ${t.repo}: ${ledger.note}`);
      expect(ledger.ok, ledger.note).toBe(true);
    }
  }, 120_000);

  it("a renamed, then transferred repository keeps its data by id", async () => {
    const t = tenants[0]!;
    const scope = `${rig.prefix}:i${t.installationId}:r${t.repoId}:`;
    const before = await scanKeys(rig.redis, `${scope}*`);
    const ledgerBefore = await rig.redis.xlen(`${scope}ledger`);
    const renamed = rig.fake.renameRepo(t.repo, "uno");
    const blobsBefore = rig.fake.requests.filter((r) => r.path.includes("/git/blobs/")).length;
    const a = await rig.fake.push(renamed, { branch: "after-rename", message: "m", files: { "src/r.ts": DIRTY }, sender: HUMAN });
    expect((await concluded(renamed, a.sha)).conclusion).toBe("failure");
    const transferred = rig.fake.transferRepo(renamed, "acme-labs");
    const b = await rig.fake.push(transferred, { branch: "after-transfer", message: "m", files: { "src/t.ts": CLEAN }, sender: HUMAN });
    expect((await concluded(transferred, b.sha)).conclusion).toBe("success");
    const blobsFetched = rig.fake.requests.filter((r) => r.path.includes("/git/blobs/")).length - blobsBefore;
    const after = await scanKeys(rig.redis, `${scope}*`);
    const ledgerAfter = await rig.redis.xlen(`${scope}ledger`);
    console.info(`[tenancy] ${t.repo} → ${renamed} → ${transferred}: keys in its scope ${before.length} → ${after.length}, ledger ${ledgerBefore} → ${ledgerAfter} entries; ${blobsFetched} blobs fetched for two pushes (the rest from its cache)`);
    // Long-lived data stays under the id scope (pending-set keys come and go with pushes).
    for (const k of before.filter((k) => /:(blob|rec|ledger|history|verdict):?/.test(k))) expect(after, k).toContain(k);
    expect(ledgerAfter).toBe(ledgerBefore + 2);
    expect(blobsFetched).toBeLessThanOrEqual(2); // only each push's new file
    expect(await scanKeys(rig.redis, `${rig.prefix}:*acme-labs*`)).toEqual([]); // names never key data
  }, 120_000);

  it("no credential in the debug log, the job payloads or any value under the prefix", async () => {
    const log = app.output();
    const values = await allValues(rig.redis, rig.prefix);
    const pemBody = rig.fake.privateKeyPem.split("\n").find((l) => l.length > 40)!;
    const needles: Record<string, string> = {
      "PEM header": "-----BEGIN",
      "PEM body": pemBody,
      "installation token": "ghs_",
      "personal token": "ghp_",
      "JWT": "eyJhbGciOi",
      "webhook secret": rig.webhookSecret,
      "ledger key": TEST_LEDGER_KEY,
    };
    console.info(`[secrets] searched ${log.split("\n").length} log lines (level debug) and ${values.length} Redis keys (${values.reduce((n, v) => n + v.text.length, 0)} bytes)`);
    expect(log.split("\n").filter((l) => l.includes('"level":20')).length).toBeGreaterThan(10);
    for (const [what, needle] of Object.entries(needles)) {
      expect(log.includes(needle), `${what} in the log`).toBe(false);
      expect(values.filter((v) => v.text.includes(needle)).map((v) => v.key), `${what} in Redis`).toEqual([]);
    }
  });
});
