import { describe, expect, it } from "vitest";
import { CompileError } from "../../../src/core/compile-error.js";
import { forbiddenDependency, type ForbiddenDependencyInput } from "../../../src/core/kinds/forbidden-dependency.js";
import { kinds } from "../../../src/core/kinds/index.js";
import { knownCodes, renderMessage } from "../../../src/core/messages/index.js";
import { policyFileSchema } from "../../../src/core/schema.js";
import { emptySnapshot, type DependencyRef, type DependencySource, type SkipReason } from "../../../src/core/snapshot.js";

const base = { id: "no-bad-packages", kind: "forbidden-dependency", why: "Known-bad packages never enter the tree." };

function compile(fields: Record<string, unknown>) {
  const input = forbiddenDependency.schema.parse({ ...base, ...fields }) as ForbiddenDependencyInput;
  return forbiddenDependency.compile(input, { agentIds: new Set() });
}

function compileError(fields: Record<string, unknown>): CompileError {
  try {
    compile(fields);
  } catch (err) {
    if (err instanceof CompileError) return err;
    throw err;
  }
  throw new Error("expected a CompileError");
}

const SECTION: Record<DependencySource, string> = { manifest: "dependencies", "package-lock": "direct", "pnpm-lock": "direct", "yarn-lock": "locked", import: "import" };
const PATH: Record<DependencySource, string> = { manifest: "package.json", "package-lock": "package-lock.json", "pnpm-lock": "pnpm-lock.yaml", "yarn-lock": "yarn.lock", import: "src/app.ts" };

function ref(name: string, version: string | null, source: DependencySource, extra: Partial<DependencyRef> = {}): DependencyRef {
  return { name, version, source, section: SECTION[source], path: PATH[source], line: 3, column: 5, ...extra };
}

function evaluate(fields: Record<string, unknown>, dependencies: DependencyRef[], skipped: Array<[string, SkipReason]> = []) {
  const snapshot = { ...emptySnapshot(), dependencies, skipped: new Map(skipped) };
  return forbiddenDependency.evaluate(compile(fields), { snapshot, change: null, deployment: null });
}

const hits = (packages: string[], refs: DependencyRef[]): number => evaluate({ packages }, refs).findings.length;

describe("forbidden-dependency: matching", () => {
  it.each<[string, string, DependencyRef[], number]>([
    ["a name forbids every version in a manifest", "colors", [ref("colors", "^1.4.0", "manifest")], 1],
    ["a name forbids every version in a lockfile", "colors", [ref("colors", "1.4.0", "yarn-lock")], 1],
    ["names compare case-insensitively", "JSONStream", [ref("jsonstream", "1.3.5", "pnpm-lock")], 1],
    ["another package does not match", "colors", [ref("colors-extra", "1.0.0", "manifest")], 0],
    ["an exact lockfile version inside the range", "lodash@<4.17.21", [ref("lodash", "4.17.20", "package-lock")], 1],
    ["an exact lockfile version outside the range", "lodash@<4.17.21", [ref("lodash", "4.17.21", "package-lock")], 0],
    ["a prerelease before the fixed version", "lodash@<4.17.21", [ref("lodash", "4.17.21-rc.1", "package-lock")], 1],
    ["a manifest range that can install a forbidden version", "event-stream@3.3.6", [ref("event-stream", "^3.3.0", "manifest")], 1],
    ["a manifest range that cannot", "event-stream@3.3.6", [ref("event-stream", "~3.3.4 <3.3.6", "manifest")], 0],
    ["a manifest range above the vulnerable ones", "lodash@<4.17.21", [ref("lodash", "^4.17.21", "manifest")], 0],
    ["an empty manifest range means any version", "lodash@<4.17.21", [ref("lodash", "", "manifest")], 1],
    ["an npm: alias is judged as the real package", "node-ipc@>=9.2.2 <10", [ref("ipc", "npm:node-ipc@^9.2.1", "manifest")], 1],
    ["the alias name itself is not the package", "ipc", [ref("ipc", "npm:node-ipc@^9.2.1", "manifest")], 0],
    ["berry's npm:range names no other package", "colors@<1.4.0", [ref("colors", "npm:^1.4.0", "manifest")], 0],
    ["a git dependency matches a name-only entry", "colors", [ref("colors", "github:Marak/colors.js", "manifest")], 1],
    ["a git dependency is no evidence of a version", "colors@1.4.1", [ref("colors", "github:Marak/colors.js", "manifest")], 0],
    ["a workspace: range is no evidence of a version", "my-lib@<2", [ref("my-lib", "workspace:*", "manifest")], 0],
    ["a dist-tag is no evidence of a version", "colors@1", [ref("colors", "latest", "manifest")], 0],
    ["a scope glob matches its packages", "@evil/*", [ref("@evil/stealer", "1.0.0", "pnpm-lock")], 1],
    ["a scope glob does not match a lookalike scope", "@evil/*", [ref("@evil-corp/x", "1.0.0", "pnpm-lock"), ref("evil", "1.0.0", "pnpm-lock")], 0],
    ["a scoped entry with a range", "@scope/pkg@^2", [ref("@scope/pkg", "2.1.0", "package-lock"), ref("@scope/pkg", "1.9.0", "package-lock", { line: 9 })], 1],
    ["an import matches a name-only entry", "colors", [ref("colors", null, "import")], 1],
    ["an import alone is no evidence of a version", "colors@1.4.1", [ref("colors", null, "import")], 0],
    ["an import is reported when a lockfile installs a forbidden version", "colors@1.4.1", [ref("colors", null, "import"), ref("colors", "1.4.1", "yarn-lock")], 2],
    ["an import is not reported when the lockfile's version is allowed", "colors@1.4.1", [ref("colors", null, "import"), ref("colors", "1.4.0", "yarn-lock")], 0],
  ])("%s", (_label, entry, refs, expected) => {
    expect(hits([entry], refs)).toBe(expected);
  });

  it("reports the package, version, source, section and the entry that matched", () => {
    const { findings } = evaluate({ packages: ["left-pad", "node-ipc@9"] }, [ref("ipc", "npm:node-ipc@9.2.1", "manifest", { path: "packages/x/package.json", line: 7, column: 5 })]);
    expect(findings).toEqual([
      {
        code: "forbidden-dependency.present",
        path: "packages/x/package.json",
        line: 7,
        column: 5,
        evidence: { package: "node-ipc", version: "npm:node-ipc@9.2.1", source: "manifest", section: "dependencies", entry: "node-ipc@9", range: ">=9.0.0 <10.0.0-0", alias: "ipc" },
        key: "packages/x/package.json|manifest|node-ipc|npm:node-ipc@9.2.1",
      },
    ]);
  });

  it("names the manifest or lockfile that proves an import's version", () => {
    const { findings } = evaluate({ packages: ["colors@1.4.1"] }, [ref("colors", null, "import"), ref("colors", "1.4.1", "yarn-lock")]);
    expect(findings[0]!.evidence).toMatchObject({ source: "import", installed: "1.4.1 in yarn.lock" });
  });

  it("reports one finding per file, source, package and version, with a line-independent key", () => {
    const refs = [ref("colors", "1.4.0", "package-lock", { line: 10 }), ref("colors", "1.4.0", "package-lock", { line: 40, section: "transitive" }), ref("colors", "1.4.1", "package-lock", { line: 50 })];
    const { findings } = evaluate({ packages: ["colors"] }, refs);
    expect(findings.map((f) => [f.line, f.key])).toEqual([
      [10, "package-lock.json|package-lock|colors|1.4.0"],
      [50, "package-lock.json|package-lock|colors|1.4.1"],
    ]);
  });
});

describe("forbidden-dependency: scope and coverage", () => {
  const refs = [
    ref("colors", "^1.4.0", "manifest"),
    ref("colors", "^1.4.0", "manifest", { path: "packages/app/package.json" }),
    ref("colors", "1.4.0", "pnpm-lock"),
    ref("colors", null, "import", { path: "packages/app/src/index.ts" }),
    ref("lodash", "4.17.21", "pnpm-lock"),
  ];

  it("counts every ref examined, matching or not", () => {
    expect(evaluate({ packages: ["colors"] }, refs).coverage).toEqual({ unit: "dependencies", matched: 5 });
  });

  it("is vacuous with no manifests and no imports", () => {
    expect(evaluate({ packages: ["colors"] }, [])).toEqual({ findings: [], coverage: { unit: "dependencies", matched: 0 } });
  });

  it("limits findings and coverage to `paths`", () => {
    const out = evaluate({ packages: ["colors"], paths: ["packages/**"] }, refs);
    expect(out.findings.map((f) => f.path)).toEqual(["packages/app/package.json", "packages/app/src/index.ts"]);
    expect(out.coverage.matched).toBe(2);
  });

  it("limits findings and coverage to `sources`", () => {
    const out = evaluate({ packages: ["colors"], sources: ["pnpm-lock", "import"] }, refs);
    expect(out.findings.map((f) => f.evidence.source)).toEqual(["pnpm-lock", "import"]);
    expect(out.coverage.matched).toBe(3);
  });

  it("still reads versions from lockfiles outside `sources` to judge imports", () => {
    const out = evaluate({ packages: ["colors@1.4.0"], sources: ["import"] }, refs);
    expect(out.findings.map((f) => f.path)).toEqual(["packages/app/src/index.ts"]);
  });

  it("fails closed on a manifest or lockfile that could not be read", () => {
    const skipped: Array<[string, SkipReason]> = [
      ["package-lock.json", "oversized"],
      ["apps/web/yarn.lock", "invalid-utf8"],
      ["src/big.ts", "oversized"],
      ["node_modules/x/package.json", "oversized"],
    ];
    const out = evaluate({ packages: ["colors"] }, [], skipped);
    expect(out.findings).toEqual([
      { code: "forbidden-dependency.unread", path: "package-lock.json", line: 1, column: 1, evidence: { source: "package-lock", reason: "oversized" }, key: "package-lock.json|unread" },
      { code: "forbidden-dependency.unread", path: "apps/web/yarn.lock", line: 1, column: 1, evidence: { source: "yarn-lock", reason: "invalid-utf8" }, key: "apps/web/yarn.lock|unread" },
    ]);
    expect(evaluate({ packages: ["colors"], sources: ["manifest"] }, [], skipped).findings).toEqual([]);
    expect(evaluate({ packages: ["colors"], paths: ["apps/**"] }, [], skipped).findings.map((f) => f.path)).toEqual(["apps/web/yarn.lock"]);
  });

  it("fails closed once per manifest that did not fully parse, at the first problem's line", () => {
    const problems = [
      { path: "pnpm-lock.yaml", line: 7, column: 3, reason: "a tab in the indentation" },
      { path: "pnpm-lock.yaml", line: 9, column: 3, reason: "a tab in the indentation" },
      { path: "src/broken.ts", line: 2, column: 1, reason: "Unexpected token" },
    ];
    const snapshot = { ...emptySnapshot(), problems };
    const out = forbiddenDependency.evaluate(compile({ packages: ["colors"] }), { snapshot, change: null, deployment: null });
    expect(out.findings).toEqual([
      { code: "forbidden-dependency.unparsable", path: "pnpm-lock.yaml", line: 7, column: 3, evidence: { source: "pnpm-lock", reason: "a tab in the indentation" }, key: "pnpm-lock.yaml|unparsable" },
    ]);
    const manifestsOnly = forbiddenDependency.evaluate(compile({ packages: ["colors"], sources: ["manifest"] }), { snapshot, change: null, deployment: null });
    expect(manifestsOnly.findings).toEqual([]);
  });

  it("is pure: the same input gives the same outcome", () => {
    expect(evaluate({ packages: ["colors@1.4.0"] }, refs)).toEqual(evaluate({ packages: ["colors@1.4.0"] }, refs));
  });
});

describe("forbidden-dependency: compile", () => {
  it.each([
    [["lodash@"], 0, "semver range"],
    [["lodash@latest"], 0, "semver range"],
    [["ok", "colors@>=banana"], 1, "semver range"],
    [["@evil"], 0, "scoped name needs"],
    [["a/b"], 0, "only scoped names"],
    [["@a/b/c"], 0, "at most one"],
    [["foo bar"], 0, "letters, digits"],
    [[" lodash"], 0, "surrounding spaces"],
    [["ok", "ok2", "a[b"], 2, "valid name glob"],
  ])("rejects %j naming the entry", (packages, index, expected) => {
    const err = compileError({ packages });
    expect(err.field).toEqual(["packages", index]);
    expect(err.expected).toContain(expected);
    expect(err.allowed).toBeTruthy();
  });

  it("rejects a bad `paths` glob with its index", () => {
    expect(compileError({ packages: ["colors"], paths: ["packages/**", "/abs"] }).field).toEqual(["paths", 1]);
  });

  it.each([
    ["no packages", { packages: [] }],
    ["an empty entry", { packages: [""] }],
    ["an unknown source", { packages: ["colors"], sources: ["bower"] }],
    ["an unknown key", { packages: ["colors"], package: ["colors"] }],
  ])("the schema refuses %s", (_label, fields) => {
    expect(forbiddenDependency.schema.safeParse({ ...base, ...fields }).success).toBe(false);
  });

  it("compiles to strict types with defaults filled in", () => {
    const c = compile({ packages: ["colors", "lodash@<4.17.21"] });
    expect(c).toMatchObject({ id: "no-bad-packages", owner: null, enforcement: "block", paths: null, sources: ["manifest", "package-lock", "pnpm-lock", "yarn-lock", "import"] });
    expect(c.packages.map((p) => [p.source, p.range])).toEqual([
      ["colors", null],
      ["lodash@<4.17.21", "<4.17.21"],
    ]);
  });
});

describe("forbidden-dependency: registration and wording", () => {
  it("is registered and accepted by the policy file schema", () => {
    expect(kinds["forbidden-dependency"]).toBe(forbiddenDependency);
    const file = policyFileSchema.safeParse({ version: 1, invariants: [{ ...base, packages: ["event-stream@3.3.6"], sources: ["manifest"] }] });
    expect(file.success).toBe(true);
  });

  it.each<Record<string, string>>([
    { package: "colors", version: "^1.4.0", source: "manifest", section: "devDependencies", entry: "colors", range: "" },
    { package: "lodash", version: "4.17.20", source: "package-lock", section: "transitive", entry: "lodash@<4.17.21", range: "<4.17.21" },
    { package: "node-ipc", version: "", source: "import", section: "import", entry: "node-ipc", range: "", alias: "ipc" },
  ])("renders a message for %o saying what is forbidden and what is allowed", (evidence) => {
    expect(knownCodes()).toContain("forbidden-dependency.present");
    const text = renderMessage("forbidden-dependency.present", evidence);
    expect(text).toContain(`\`${evidence.entry}\``);
    expect(text).toMatch(evidence.range ? /only versions outside/ : /no version of it is allowed/);
  });

  it("renders the unread and unparsable messages", () => {
    expect(renderMessage("forbidden-dependency.unread", { source: "package-lock", reason: "oversized" })).toContain("oversized");
    expect(renderMessage("forbidden-dependency.unparsable", { source: "yarn-lock", reason: "a merge conflict marker" })).toContain("a merge conflict marker");
  });
});
