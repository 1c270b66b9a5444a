import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitFor, type Harness } from "../helpers/app-harness.js";

const POLICY = `version: 1
invariants:
  - id: no-console
    kind: content
    why: Findings are data.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
  - id: prod-deploys
    kind: deployment
    why: Production runs reviewed code from main, deployed by a person.
    environments: ["production"]
    require: { ref: default-branch, invariants: pass, actor: human }
  - id: holiday-freeze
    kind: deployment
    why: Nobody deploys to the shop during the holiday freeze.
    environments: ["shop-*"]
    require: { invariants: any }
    freeze:
      - { from: "2026-01-01T00:00:00Z", to: "2099-01-01T00:00:00Z", reason: "holiday freeze" }
`;
const HUMAN = { login: "alice", id: 1001, type: "User" as const };
const CLAUDE = { login: "claude[bot]", id: 209825114, type: "Bot" as const };

let h: Harness;
const repo = "acme/deploy";

beforeAll(async () => {
  h = await startHarness();
  await h.fake.createRepo(h.installationId, { owner: "acme", name: "deploy" });
  await h.fake.commit(repo, { branch: "main", message: "init", files: { "invariants/a.yml": POLICY, "src/a.ts": "export const a = 1;\n" } });
  await h.fake.commit(repo, { branch: "feature", message: "feature", files: { "src/b.ts": "export const b = 1;\n" } });
}, 60_000);
afterAll(async () => h?.close());

async function deploy(input: { environment: string; ref?: string; sha?: string; creator?: typeof HUMAN | typeof CLAUDE; sender?: typeof HUMAN | typeof CLAUDE }) {
  const payload = await h.fake.events.deploymentProtectionRule(repo, { creator: HUMAN, sender: HUMAN, ...input });
  const runId = Number(/runs\/(\d+)\//.exec(String((payload as { deployment_callback_url: string }).deployment_callback_url))![1]);
  const delivery = await h.fake.deliver("deployment_protection_rule", payload);
  expect(delivery.status).toBe(200);
  return waitFor(`an answer for run ${runId}`, () => h.fake.deploymentAnswers(repo).find((a) => a.runId === runId && a.environment === input.environment), 60_000);
}

describe("deployment gate", () => {
  it("approves main, deployed by a human, when invariants pass", async () => {
    const a = await deploy({ environment: "production" });
    expect(a.state).toBe("approved");
    expect(a.comment).toContain("prod-deploys");
  });

  it("rejects a ref other than the default branch", async () => {
    const a = await deploy({ environment: "production", ref: "feature" });
    expect(a.state).toBe("rejected");
    expect(a.comment).toContain("prod-deploys");
    expect(a.comment).toMatch(/main|default branch/);
  });

  it("rejects an agent deploying to production", async () => {
    const a = await deploy({ environment: "production", creator: CLAUDE, sender: CLAUDE });
    expect(a.state).toBe("rejected");
    expect(a.comment).toMatch(/agent/);
  });

  it("rejects during a freeze window, with its reason", async () => {
    const a = await deploy({ environment: "shop-eu" });
    expect(a.state).toBe("rejected");
    expect(a.comment).toContain("holiday freeze");
  });

  it("an environment no deployment invariant names still needs passing invariants", async () => {
    expect((await deploy({ environment: "preview" })).state).toBe("approved");
    const bad = await h.fake.commit(repo, { branch: "feature", message: "log", files: { "src/c.ts": "console.log(1)\n" } });
    const a = await deploy({ environment: "preview", ref: "feature", sha: bad });
    expect(a.state).toBe("rejected");
    expect(a.comment).toMatch(/block invariants fail/);
  });

  it("rejects production when a block invariant fails on the SHA", async () => {
    const sha = await h.fake.commit(repo, { branch: "main", message: "log", files: { "src/d.ts": "console.log(2)\n" } });
    const a = await deploy({ environment: "production", sha });
    expect(a.state).toBe("rejected");
    expect(a.comment).toMatch(/invariants/);
    await h.fake.commit(repo, { branch: "main", message: "unlog", files: { "src/d.ts": null } });
  });

  it("reuses a fresh verdict for the same SHA and policy, and re-evaluates a stale one", async () => {
    const { sha } = await h.fake.push(repo, { branch: "main", message: "docs", files: { "docs/x.md": "x\n" }, sender: HUMAN });
    await waitFor("the push verdict", () => h.fake.checkRuns(repo, sha).find((r) => r.status === "completed"));
    const reused = await deploy({ environment: "production", sha });
    expect(reused.state).toBe("approved");
    expect(reused.comment).toContain("reused the verdict");
    // A new policy digest makes the cached verdict stale.
    const { sha: next } = await h.fake.push(repo, { branch: "main", message: "policy", files: { "invariants/a.yml": POLICY + "  - id: extra\n    kind: content\n    why: w\n    files: [\"docs/**\"]\n    forbid: 'TODO'\n" }, sender: HUMAN });
    await waitFor("the policy push verdict", () => h.fake.checkRuns(repo, next).find((r) => r.status === "completed"));
    const again = await deploy({ environment: "production", sha });
    expect(again.comment).toContain("evaluated");
    expect(again.comment).not.toContain("reused");
  });

  it("rejects (fail closed) when GitHub keeps failing during the evaluation", async () => {
    const sha = await h.fake.commit(repo, { branch: "main", message: "more", files: { "src/e.ts": "export const e = 1;\n" } });
    const fault = h.fake.inject({ pathPattern: /\/git\/trees\//, times: 1000, status: 500 });
    try {
      const a = await deploy({ environment: "production", sha });
      expect(a.state).toBe("rejected");
      expect(a.comment).toContain("fail closed");
    } finally {
      h.fake.clearFaults();
      void fault;
    }
  }, 120_000);
});
