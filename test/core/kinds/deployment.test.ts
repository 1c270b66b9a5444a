import { describe, expect, it } from "vitest";
import { CompileError } from "../../../src/core/compile-error.js";
import type { DeploymentRequest } from "../../../src/core/kind.js";
import { deployment, deploymentSchema } from "../../../src/core/kinds/deployment.js";
import { renderMessage } from "../../../src/core/messages/index.js";
import { emptySnapshot } from "../../../src/core/snapshot.js";
import { agentActor, base, ctx, humanActor, input } from "./handmade-snapshot.js";

function compile(fields: Record<string, unknown>) {
  return deployment.compile(deploymentSchema.parse({ id: "deploys", kind: "deployment", ...base, ...fields }), ctx);
}

const request = (over: Partial<DeploymentRequest> = {}): DeploymentRequest => ({
  environment: "production",
  ref: "main",
  sha: "0123456789abcdef0123456789abcdef01234567",
  defaultBranch: "main",
  actor: humanActor,
  invariantsPass: true,
  at: "2026-11-26T10:00:00Z",
  ...over,
});

function codes(rule: Record<string, unknown>, req: DeploymentRequest | null): string[] {
  return deployment.evaluate(compile(rule), input(emptySnapshot(), null, req)).findings.map((f) => f.code);
}

const prod = { environments: ["production"] };
const freeze = [{ from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: "holiday freeze" }];

describe("deployment compile", () => {
  it("defaults to invariants: pass, any actor, any ref, no freeze", () => {
    const c = compile(prod);
    expect({ ref: c.ref, invariants: c.invariants, actor: c.actor, freeze: c.freeze }).toEqual({ ref: { type: "any" }, invariants: "pass", actor: "any", freeze: [] });
  });

  it("needs at least one environment", () => {
    expect(() => compile({ environments: [] })).toThrow();
  });

  it("rejects a freeze that ends before it starts", () => {
    expect(() => compile({ ...prod, freeze: [{ from: "2027-01-04T00:00:00Z", to: "2026-12-20T00:00:00Z", reason: "r" }] })).toThrow(
      expect.objectContaining({ field: ["freeze", 0, "to"] }),
    );
    expect(() => compile({ ...prod, freeze: [{ from: "2026-12-20T00:00:00Z", to: "2026-12-20T00:00:00Z", reason: "r" }] })).toThrow(CompileError);
  });

  it("rejects instants that are not ISO 8601 with a zone", () => {
    for (const from of ["2026-12-20", "2026-12-20T00:00:00", "2026-02-30T00:00:00Z", "next friday"]) {
      expect(() => compile({ ...prod, freeze: [{ from, to: "2027-01-04T00:00:00Z", reason: "r" }] }), from).toThrow();
    }
  });

  it("rejects a bad ref glob with its field", () => {
    expect(() => compile({ ...prod, require: { ref: ["release/*", "release/[x"] } })).toThrow(expect.objectContaining({ field: ["require", "ref", 1] }));
  });

  it("rejects unknown keys in require", () => {
    expect(() => compile({ ...prod, require: { reviewers: 2 } })).toThrow();
  });
});

type Row = [name: string, rule: Record<string, unknown>, req: DeploymentRequest | null, expected: string[]];

const rows: Row[] = [
  ["no deployment request", { ...prod, require: { ref: "default-branch", actor: "human" } }, null, []],
  ["other environment", { ...prod, require: { ref: "default-branch" } }, request({ environment: "staging", ref: "feature/x" }), []],
  ["environment glob, case-insensitive", { environments: ["prod-*"], require: { ref: "default-branch" } }, request({ environment: "Prod-EU", ref: "feature/x" }), ["deployment.ref-not-allowed"]],
  ["default branch passes", { ...prod, require: { ref: "default-branch" } }, request(), []],
  ["default branch as a full ref", { ...prod, require: { ref: "default-branch" } }, request({ ref: "refs/heads/main" }), []],
  ["feature branch to production", { ...prod, require: { ref: "default-branch" } }, request({ ref: "feature/x" }), ["deployment.ref-not-allowed"]],
  ["tag glob with a full tag ref", { ...prod, require: { ref: ["refs/tags/v*"] } }, request({ ref: "refs/tags/v1.2.0" }), []],
  ["tag glob with a bare ref fails closed", { ...prod, require: { ref: ["refs/tags/v*"] } }, request({ ref: "v1.2.0" }), ["deployment.ref-not-allowed"]],
  ["branch named like a tag is not a tag", { ...prod, require: { ref: ["refs/tags/v*"] } }, request({ ref: "refs/heads/v1.2.0" }), ["deployment.ref-not-allowed"]],
  ["bare glob matches a full ref", { ...prod, require: { ref: ["release/*"] } }, request({ ref: "refs/heads/release/2026-11" }), []],
  ["bare glob matches a bare ref", { ...prod, require: { ref: ["release/*"] } }, request({ ref: "release/2026-11" }), []],
  ["invariants failing", prod, request({ invariantsPass: false }), ["deployment.invariants-failing"]],
  ["invariants unknown fails closed", prod, request({ invariantsPass: null }), ["deployment.invariants-unknown"]],
  ["invariants: any ignores state", { ...prod, require: { invariants: "any" } }, request({ invariantsPass: null }), []],
  ["agent where a human is required", { ...prod, require: { actor: "human" } }, request({ actor: agentActor("devin") }), ["deployment.actor-not-allowed"]],
  ["human where a human is required", { ...prod, require: { actor: "human" } }, request(), []],
  ["human where an agent is required", { ...prod, require: { actor: "agent" } }, request(), ["deployment.actor-not-allowed"]],
  ["inside a freeze", { ...prod, freeze }, request({ at: "2026-12-24T12:00:00Z" }), ["deployment.frozen"]],
  ["freeze start is inclusive", { ...prod, freeze }, request({ at: "2026-12-20T00:00:00Z" }), ["deployment.frozen"]],
  ["freeze end is exclusive", { ...prod, freeze }, request({ at: "2027-01-04T00:00:00Z" }), []],
  ["freeze with an offset", { ...prod, freeze: [{ from: "2026-12-20T00:00:00+01:00", to: "2026-12-21T00:00:00+01:00", reason: "r" }] }, request({ at: "2026-12-19T23:30:00Z" }), ["deployment.frozen"]],
  ["unreadable request time fails closed", { ...prod, freeze }, request({ at: "soon" }), ["deployment.frozen"]],
  [
    "everything wrong at once",
    { ...prod, require: { ref: "default-branch", actor: "human" }, freeze },
    request({ ref: "feature/x", invariantsPass: false, actor: agentActor("claude-code", "branch"), at: "2026-12-25T00:00:00Z" }),
    ["deployment.ref-not-allowed", "deployment.invariants-failing", "deployment.actor-not-allowed", "deployment.frozen"],
  ],
];

describe("deployment evaluate", () => {
  it.each(rows)("%s", (_name, rule, req, expected) => {
    expect(codes(rule, req)).toEqual(expected);
  });

  it("places findings at deployment:<environment>, line 1, and renders them", () => {
    const out = deployment.evaluate(compile({ ...prod, require: { ref: "default-branch", actor: "human" }, freeze }), input(emptySnapshot(), null, request({ ref: "feature/x", actor: agentActor("codex"), at: "2026-12-25T00:00:00Z", invariantsPass: null })));
    expect(out.findings).toHaveLength(4);
    for (const f of out.findings) {
      expect([f.path, f.line]).toEqual(["deployment:production", 1]);
      expect(renderMessage(f.code, f.evidence)).not.toMatch(/^deployment\./);
    }
    const texts = out.findings.map((f) => renderMessage(f.code, f.evidence)).join("\n");
    expect(texts).toContain("the default branch `main`");
    expect(texts).toContain("holiday freeze");
    expect(texts).toContain("only a human may deploy");
  });

  it("counts its environment globs as coverage", () => {
    expect(deployment.evaluate(compile({ environments: ["production", "prod-*"] }), input(emptySnapshot())).coverage).toEqual({ unit: "environments", matched: 2 });
  });
});
