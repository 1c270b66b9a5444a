import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEDGER_KEY, REDIS_URL, startHarness, waitFor, type Harness } from "../helpers/app-harness.js";
import { runCli } from "../helpers/run-cli.js";
import { CLAUDE, CORE_IS_PURE, HUMAN, NO_CONSOLE, policyOf } from "../helpers/policies.js";

const POLICY = policyOf(CORE_IS_PURE, NO_CONSOLE, `  - id: agents-stay-out-of-ci
    kind: execution-scope
    why: Agents may not change CI or the rules.
    actors: agents
    deny: [".github/workflows/**", "invariants/**"]
`);


let h: Harness;
const repo = "acme/widgets";

beforeAll(async () => {
  h = await startHarness();
  await h.fake.createRepo(h.installationId, { owner: "acme", name: "widgets" });
  await h.fake.commit(repo, {
    branch: "main",
    message: "init",
    files: { "invariants/architecture.yml": POLICY, "src/core/model.ts": "export const x = 1;\n", "src/adapters/db.ts": "export const db = 1;\n", ".github/workflows/ci.yml": "on: push\n" },
  });
}, 60_000);
afterAll(async () => h?.close());

const completedRun = (sha: string) => waitFor(`a completed run on ${sha.slice(0, 7)}`, () => h.fake.checkRuns(repo, sha).find((r) => r.status === "completed"));

describe("GitHub App end to end", () => {
  it("an agent's push that crosses a boundary fails with an annotation on the import line", async () => {
    const { sha, delivery } = await h.fake.push(repo, { branch: "claude/feature", message: "use db in core", sender: CLAUDE, files: { "src/core/model.ts": "import { db } from '../adapters/db';\nexport const x = db;\n" } });
    expect(delivery.status).toBe(200);
    expect(delivery.ms).toBeLessThan(1000);
    const run = await completedRun(sha);
    expect(run.name).toBe("Plumbline");
    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: "src/core/model.ts", start_line: 1, annotation_level: "failure" }));
    expect(run.summary).toContain("core-is-pure");
    expect(run.summary).toMatch(/claude/);
    expect(h.fake.unexpectedRequests).toEqual([]);
  });

  it("a violating commit that claims the local hooks passed it is reported as a propagation failure", async () => {
    const message = `tidy\n\nPlumbline-Checked: ${"ab".repeat(32)}\n`;
    const { sha } = await h.fake.push(repo, { branch: "claude/skipped-hooks", message, sender: CLAUDE, files: { "src/core/log.ts": "console.log('x')\n" } });
    const run = await completedRun(sha);
    expect(run.conclusion).toBe("failure");
    expect(run.summary).toContain("propagation failure");
  });

  it("a clean human push succeeds", async () => {
    const { sha } = await h.fake.push(repo, { branch: "alice/docs", message: "docs", sender: HUMAN, files: { "README.md": "# widgets\n" } });
    const run = await completedRun(sha);
    expect(run.conclusion).toBe("success");
  });

  it("an agent touching CI fails on execution scope", async () => {
    const { sha } = await h.fake.push(repo, { branch: "claude/ci", message: "tweak ci", sender: CLAUDE, files: { ".github/workflows/ci.yml": "on: [push, pull_request]\n" } });
    const run = await completedRun(sha);
    expect(run.conclusion).toBe("failure");
    expect(run.summary).toContain("agents-stay-out-of-ci");
  });

  it("a redelivered delivery id creates no second job", async () => {
    const { sha, delivery } = await h.fake.push(repo, { branch: "alice/again", message: "x", sender: HUMAN, files: { "docs/a.md": "a\n" } });
    await completedRun(sha);
    const payload = await h.fake.events.push(repo, { ref: "refs/heads/alice/again", before: "0".repeat(40), after: sha });
    const again = await h.fake.deliver("push", payload, { deliveryId: delivery.deliveryId });
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    const history = h.fake.checkRuns(repo, sha).flatMap((r) => r.history);
    expect(history.filter((x) => x.op === "create")).toHaveLength(1);
  });

  it("every verdict is in the provenance ledger, anchored in its check run, and the chain verifies", async () => {
    const { sha } = await h.fake.push(repo, { branch: "alice/ledger", message: "ledger", sender: HUMAN, files: { "docs/l.md": "l\n" } });
    const run = await completedRun(sha);
    const anchor = /chain head `(\d+:[0-9a-f]{64})`/.exec(run.summary ?? "")?.[1];
    expect(anchor, run.summary ?? "").toBeTruthy();
    const env = { REDIS_URL, PLUMBLINE_PREFIX: h.prefix, LEDGER_KEY };
    const verify = runCli(["ledger", "verify", "--repo", repo, "--expected-head", anchor!], { env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const show = runCli(["ledger", "show", sha, "--repo", repo, "--format", "json"], { env });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(sha);
    const wrongKey = runCli(["ledger", "verify", "--repo", repo], { env: { ...env, LEDGER_KEY: "x".repeat(40) } });
    expect(wrongKey.code).toBe(1);
  });

  it("a bad or missing signature is rejected and nothing is enqueued", async () => {
    const main = (await h.fake.branchTip(repo, "main"))!;
    const payload = await h.fake.events.push(repo, { ref: "refs/heads/main", before: main, after: main });
    const bad = await h.fake.deliver("push", payload, { signature: "sha256=" + "0".repeat(64) });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    const missing = await h.fake.deliver("push", payload, { signature: "" });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.fake.checkRuns(repo, main)).toEqual([]);
  });
});
