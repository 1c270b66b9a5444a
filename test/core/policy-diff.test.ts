import { describe, expect, it } from "vitest";
import { compilePolicy, type CompiledPolicy } from "../../src/core/compile.js";
import { diffPolicies } from "../../src/core/policy-diff.js";

const policy = (body: string): CompiledPolicy => {
  const r = compilePolicy([{ path: "invariants/a.yml", text: `version: 1\ninvariants:\n${body}` }]);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.policy;
};
const boundary = (extra: string) => `  - id: layers\n    kind: import-boundary\n    why: w\n    from: ["src/core/**"]\n${extra}`;

describe("diffPolicies", () => {
  it.each([
    ["a forbid entry removed", 'forbid: ["a/**", "b/**"]', 'forbid: ["a/**"]', "weaker"],
    ["a forbid entry added", 'forbid: ["a/**"]', 'forbid: ["a/**", "b/**"]', "stronger"],
    ["an allow-list introduced", 'forbid: ["a/**"]', 'forbid: ["a/**"]\n    allow: ["src/**"]', "stronger"],
    ["an allow-list removed", 'forbid: ["a/**"]\n    allow: ["src/**"]', 'forbid: ["a/**"]', "weaker"],
    ["an allow entry added", 'allow: ["src/**"]', 'allow: ["src/**", "lib/**"]', "weaker"],
    ["cycles no longer forbidden", 'forbid: ["a/**"]\n    cycles: forbid', 'forbid: ["a/**"]\n    cycles: allow', "weaker"],
    ["type-only imports ignored", 'forbid: ["a/**"]\n    typeOnly: count', 'forbid: ["a/**"]\n    typeOnly: ignore', "weaker"],
    ["enforcement lowered", 'forbid: ["a/**"]\n    enforcement: block', 'forbid: ["a/**"]\n    enforcement: warn', "weaker"],
  ])("%s is %s", (_n, before, after, direction) => {
    const d = diffPolicies(policy(boundary(`    ${before}\n`)), policy(boundary(`    ${after}\n`)));
    expect(d.length).toBeGreaterThan(0);
    expect(d.every((x) => x.direction === direction), JSON.stringify(d)).toBe(true);
  });

  it("a removed invariant is weaker and an added one stronger", () => {
    const a = policy(boundary('    forbid: ["a/**"]\n'));
    const b = policy(boundary('    forbid: ["a/**"]\n').replace("id: layers", "id: other"));
    expect(diffPolicies(a, b).map((x) => `${x.invariant} ${x.change} ${x.direction}`).sort()).toEqual(["layers removed weaker", "other added stronger"]);
  });

  it("identical policies differ in nothing", () => {
    expect(diffPolicies(policy(boundary('    forbid: ["a/**"]\n')), policy(boundary('    forbid: ["a/**"]\n')))).toEqual([]);
  });
});
