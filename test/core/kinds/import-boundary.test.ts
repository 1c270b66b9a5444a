import { describe, expect, it } from "vitest";
import { CompileError } from "../../../src/core/compile-error.js";
import { findCycles } from "../../../src/core/import-cycles.js";
import { importBoundary, importBoundarySchema, targetNames } from "../../../src/core/kinds/import-boundary.js";
import { kinds } from "../../../src/core/kinds/index.js";
import { knownCodes, renderMessage } from "../../../src/core/messages/index.js";
import type { ImportEdge, ImportTarget } from "../../../src/core/snapshot.js";
import { base, ctx, edge, file, input, pkg, snapshotOf } from "./handmade-snapshot.js";

const builtin = (name: string): ImportTarget => ({ type: "builtin", name });
const unresolved: ImportTarget = { type: "unresolved" };

function compile(fields: Record<string, unknown>) {
  return importBoundary.compile(importBoundarySchema.parse({ id: "layers", kind: "import-boundary", ...base, ...fields }), ctx);
}

/** The tree holds every file the edges mention, so coverage (files `from` governs) is meaningful. */
function run(fields: Record<string, unknown>, edges: ImportEdge[]) {
  const files = new Set(edges.flatMap((e) => [e.from, ...(e.target.type === "file" ? [e.target.path] : [])]));
  return importBoundary.evaluate(compile(fields), input(snapshotOf(Object.fromEntries([...files].map((p) => [p, ""])), edges)));
}

/** `code path:line target [via]` per finding, sorted: the shape tables compare. */
function summary(fields: Record<string, unknown>, edges: ImportEdge[]): string[] {
  return run(fields, edges)
    .findings.map((f) => `${f.code} ${f.path}:${f.line} ${f.evidence.target ?? f.evidence.cycle}${f.evidence.via ? ` via ${f.evidence.via}` : ""}`)
    .sort();
}

describe("import-boundary compile", () => {
  it("is registered and reads only the tree and the import graph", () => {
    expect(kinds["import-boundary"]).toBe(importBoundary);
    expect(importBoundary.reads).toEqual(["tree", "imports"]);
  });

  it("needs forbid, allow or cycles: forbid", () => {
    expect(() => compile({ from: ["src/**"] })).toThrow(CompileError);
    expect(() => compile({ from: ["src/**"], cycles: "forbid" })).not.toThrow();
    expect(() => compile({ from: ["src/**"], allow: [] })).not.toThrow();
  });

  it("fills defaults and leaves no optional field", () => {
    expect(compile({ from: ["src/**"], forbid: ["x"] })).toMatchObject({ exclude: [], allow: null, cycles: "allow", typeOnly: "count" });
  });

  it("rejects unknown keys, empty lists and bad globs with the field path", () => {
    expect(importBoundarySchema.safeParse({ id: "x", kind: "import-boundary", ...base, from: ["a/**"], forbid: ["b"], forbidden: ["c"] }).success).toBe(false);
    expect(importBoundarySchema.safeParse({ id: "x", kind: "import-boundary", ...base, from: [], forbid: ["b"] }).success).toBe(false);
    expect(importBoundarySchema.safeParse({ id: "x", kind: "import-boundary", ...base, from: ["a/**"], forbid: [] }).success).toBe(false);
    try {
      compile({ from: ["src/**"], forbid: ["ok/**", "bad/[x"] });
      expect.unreachable();
    } catch (err) {
      expect((err as CompileError).field).toEqual(["forbid", 1]);
    }
  });

  it("describes every field for the published JSON Schema", () => {
    const shape = importBoundarySchema.shape;
    for (const key of ["from", "exclude", "forbid", "allow", "cycles", "typeOnly"] as const) expect(shape[key].description, key).toBeTruthy();
  });
});

describe("targets are matched by path or by package/builtin name", () => {
  it.each<[entry: string, target: ImportTarget, specifier: string, hit: boolean]>([
    ["src/github/**", file("src/github/client.ts"), "../github/client", true],
    ["src/github/**", file("src/githubby/x.ts"), "../githubby/x", false],
    ["ioredis", pkg("ioredis"), "ioredis", true],
    ["ioredis", pkg("ioredis-mock"), "ioredis-mock", false],
    ["@octokit/*", pkg("@octokit/rest"), "@octokit/rest", true],
    ["@octokit/*", pkg("octokit"), "octokit", false],
    ["lodash", pkg("lodash"), "lodash/fp", true],
    ["lodash/fp", pkg("lodash"), "lodash/fp", true],
    ["lodash/fp", pkg("lodash"), "lodash", false],
    ["node:fs", builtin("node:fs"), "fs", true],
    ["fs", builtin("node:fs"), "node:fs", true],
    ["node:fs", builtin("node:fs/promises"), "fs/promises", true],
    ["fs/promises", builtin("node:fs/promises"), "node:fs/promises", true],
    ["node:*", builtin("node:child_process"), "child_process", true],
    ["node:fs", builtin("node:path"), "path", false],
    ["ioredis", file("ioredis"), "./ioredis", true],
    ["src/**", pkg("react"), "react", false],
    ["**", unresolved, "./gone", false],
  ])("%s vs %j (%s) → %s", (entry, target, specifier, hit) => {
    const out = run({ from: ["app/**"], forbid: [entry] }, [edge("app/a.ts", specifier, target)]);
    expect(out.findings.length).toBe(hit ? 1 : 0);
  });

  it("lists the candidate names of a builtin once each", () => {
    expect(targetNames(edge("a.ts", "fs/promises", builtin("node:fs/promises")))).toEqual(["node:fs/promises", "fs/promises", "node:fs", "fs"]);
  });
});

describe("forbid", () => {
  const rule = { from: ["src/core/**"], exclude: ["src/core/**/*.test.ts"], forbid: ["src/github/**", "ioredis"] };

  it("reports forbidden edges out of governed files only, with evidence and a line-independent key", () => {
    const edges = [
      edge("src/core/a.ts", "../github/x.js", file("src/github/x.ts"), { line: 3, column: 20, syntax: "require" }),
      edge("src/core/a.test.ts", "ioredis", pkg("ioredis")),
      edge("src/cli/main.ts", "ioredis", pkg("ioredis")),
      edge("src/core/b.ts", "./a", file("src/core/a.ts")),
    ];
    const out = run(rule, edges);
    expect(out.findings).toEqual([
      {
        code: "import-boundary.forbidden",
        path: "src/core/a.ts",
        line: 3,
        column: 20,
        evidence: { specifier: "../github/x.js", target: "src/github/x.ts", via: "", syntax: "require", typeOnly: false, entry: "src/github/**" },
        key: "src/core/a.ts|src/github/x.ts|",
      },
    ]);
    expect(out.coverage).toEqual({ unit: "files", matched: 2 });
    const moved = run(rule, [{ ...edges[0]!, line: 40 }]);
    expect(moved.findings[0]!.key).toBe(out.findings[0]!.key);
  });

  it("reports an import routed through a barrel at the importing line, naming the barrels", () => {
    const direct = edge("src/core/a.ts", "../lib", file("src/lib/index.ts"), { line: 2 });
    const behind = { ...direct, target: pkg("ioredis"), via: ["src/lib/index.ts", "src/lib/redis.ts"] };
    expect(summary(rule, [direct, behind])).toEqual(["import-boundary.forbidden src/core/a.ts:2 ioredis via src/lib/index.ts → src/lib/redis.ts"]);
    expect(run(rule, [direct, behind]).findings[0]!.key).toBe("src/core/a.ts|ioredis|src/lib/index.ts>src/lib/redis.ts");
    // Coverage counts governed files: the barrels behind an import are not governed here.
    expect(run(rule, [direct, behind]).coverage.matched).toBe(1);
  });

  it("does not repeat what lies behind a barrel that is itself forbidden", () => {
    const direct = edge("src/core/a.ts", "../github", file("src/github/index.ts"));
    const behind = { ...direct, target: file("src/github/client.ts"), via: ["src/github/index.ts"] };
    expect(summary(rule, [direct, behind])).toEqual(["import-boundary.forbidden src/core/a.ts:1 src/github/index.ts"]);
  });

  it("counts type-only edges by default and drops them with typeOnly: ignore", () => {
    const edges = [edge("src/core/a.ts", "../github/types", file("src/github/types.ts"), { typeOnly: true })];
    expect(summary(rule, edges)).toHaveLength(1);
    expect(summary({ ...rule, typeOnly: "ignore" }, edges)).toEqual([]);
    expect(run({ ...rule, typeOnly: "ignore" }, edges).coverage.matched).toBe(1);
  });

  it("lets unresolved edges pass when there is no allow-list", () => {
    expect(summary(rule, [edge("src/core/a.ts", "./gone", unresolved)])).toEqual([]);
  });

  it("is vacuous when its globs match no file", () => {
    expect(run(rule, [edge("src/app/a.ts", "ioredis", pkg("ioredis"))]).coverage).toEqual({ unit: "files", matched: 0 });
  });
});

describe("allow", () => {
  const rule = { from: ["src/core/**"], exclude: ["src/core/legacy/**"], allow: ["zod", "node:path", "src/shared/**"] };

  it.each<[string, ImportTarget, string, string | null]>([
    ["./b", file("src/core/b.ts"), "same layer", null],
    ["./legacy/old", file("src/core/legacy/old.ts"), "excluded file of the same layer", null],
    ["zod", pkg("zod"), "allowed package", null],
    ["path", builtin("node:path"), "allowed builtin without prefix", null],
    ["../shared/x", file("src/shared/x.ts"), "allowed path", null],
    ["fs", builtin("node:fs"), "builtin not listed", "import-boundary.not-allowed"],
    ["lodash", pkg("lodash"), "package not listed", "import-boundary.not-allowed"],
    ["../app/x", file("src/app/x.ts"), "file outside", "import-boundary.not-allowed"],
    ["./gone", unresolved, "unresolved fails closed", "import-boundary.unresolved"],
  ])("%s (%s) → %s", (specifier, target, _why, code) => {
    const out = run(rule, [edge("src/core/a.ts", specifier, target)]);
    expect(out.findings.map((f) => f.code)).toEqual(code ? [code] : []);
  });

  it("lets forbid win over allow", () => {
    expect(summary({ ...rule, forbid: ["src/shared/secret/**"] }, [edge("src/core/a.ts", "../shared/secret/k", file("src/shared/secret/k.ts"))])).toEqual([
      "import-boundary.forbidden src/core/a.ts:1 src/shared/secret/k.ts",
    ]);
  });

  it("with an empty list, allows only the layer itself", () => {
    expect(summary({ from: ["src/core/**"], allow: [] }, [edge("src/core/a.ts", "./b", file("src/core/b.ts")), edge("src/core/a.ts", "zod", pkg("zod"), { line: 2 })])).toEqual([
      "import-boundary.not-allowed src/core/a.ts:2 zod",
    ]);
  });

  it("catches an allowed barrel that hands out something not allowed", () => {
    const direct = edge("src/core/a.ts", "../shared", file("src/shared/index.ts"));
    const behind = { ...direct, target: pkg("pg"), via: ["src/shared/index.ts"] };
    expect(summary(rule, [direct, behind])).toEqual(["import-boundary.not-allowed src/core/a.ts:1 pg via src/shared/index.ts"]);
  });

  it("keys unresolved findings by specifier, so two broken imports stay distinct", () => {
    const out = run(rule, [edge("src/core/a.ts", "./x", unresolved), edge("src/core/a.ts", "./y", unresolved, { line: 2 })]);
    expect(out.findings.map((f) => f.key)).toEqual(["src/core/a.ts|unresolved:./x|", "src/core/a.ts|unresolved:./y|"]);
  });
});

describe("cycles", () => {
  const rule = { from: ["src/**"], exclude: ["src/gen/**"], cycles: "forbid" };
  const imp = (from: string, to: string, line = 1, extra: Partial<ImportEdge> = {}) => edge(from, `./${to}`, file(to), { line, ...extra });

  it("reports each cycle once, at the import that closes its canonical rotation", () => {
    const edges = [imp("src/c.ts", "src/a.ts", 7), imp("src/a.ts", "src/b.ts", 2), imp("src/b.ts", "src/c.ts", 4), imp("src/b.ts", "src/a.ts", 5)];
    const out = run(rule, edges);
    expect(out.findings.map((f) => [f.path, f.line, f.evidence.cycle, f.key])).toEqual([
      ["src/b.ts", 5, "src/a.ts → src/b.ts → src/a.ts", "cycle|src/a.ts>src/b.ts"],
      ["src/c.ts", 7, "src/a.ts → src/b.ts → src/c.ts → src/a.ts", "cycle|src/a.ts>src/b.ts>src/c.ts"],
    ]);
  });

  it("finds the same cycles whatever the edge order", () => {
    const edges = [imp("src/c.ts", "src/a.ts", 7), imp("src/a.ts", "src/b.ts", 2), imp("src/b.ts", "src/c.ts", 4), imp("src/b.ts", "src/a.ts", 5)];
    expect(summary(rule, [...edges].reverse())).toEqual(summary(rule, edges));
  });

  it("reports a self-import", () => {
    expect(summary(rule, [imp("src/a.ts", "src/a.ts")])).toEqual(["import-boundary.cycle src/a.ts:1 src/a.ts → src/a.ts"]);
  });

  it("ignores cycles leaving the governed files, barrel edges and (with typeOnly: ignore) type-only edges", () => {
    expect(summary(rule, [imp("src/a.ts", "src/gen/b.ts"), imp("src/gen/b.ts", "src/a.ts")])).toEqual([]);
    expect(summary(rule, [imp("src/a.ts", "lib/b.ts"), imp("lib/b.ts", "src/a.ts")])).toEqual([]);
    expect(summary(rule, [imp("src/a.ts", "src/b.ts"), imp("src/b.ts", "src/a.ts", 1, { via: ["src/i.ts"] })])).toEqual([]);
    const typed = [imp("src/a.ts", "src/b.ts"), imp("src/b.ts", "src/a.ts", 1, { typeOnly: true })];
    expect(summary(rule, typed)).toHaveLength(1);
    expect(summary({ ...rule, typeOnly: "ignore" }, typed)).toEqual([]);
  });

  it("stays fast and bounded on one huge component", () => {
    const edges: ImportEdge[] = [];
    for (let i = 0; i < 2000; i++) edges.push(imp(`src/m${i}.ts`, `src/m${(i + 1) % 2000}.ts`), imp(`src/m${i}.ts`, `src/m${(i * 7 + 3) % 2000}.ts`));
    const t = performance.now();
    const out = run(rule, edges);
    expect(out.findings.length).toBeGreaterThan(0);
    expect(out.findings.length).toBeLessThanOrEqual(1000);
    expect(performance.now() - t).toBeLessThan(20_000);
  });

  it("findCycles returns canonical rotations", () => {
    const succ = new Map<string, Set<string>>([["b", new Set(["c"])], ["c", new Set(["a"])], ["a", new Set(["b"])], ["d", new Set()]]);
    expect(findCycles(succ)).toEqual([["a", "b", "c"]]);
  });
});

describe("import-boundary messages", () => {
  it("renders every code it emits with where, what and what is allowed", () => {
    const codes = ["import-boundary.forbidden", "import-boundary.not-allowed", "import-boundary.unresolved", "import-boundary.cycle"];
    for (const code of codes) expect(knownCodes()).toContain(code);
    const ev = { specifier: "../lib", target: "ioredis", via: "src/lib/index.ts", syntax: "import", typeOnly: false, entry: "ioredis", allowed: "`zod`", from: "`src/core/**`", cycle: "a → b → a", length: 2 };
    expect(renderMessage("import-boundary.forbidden", ev)).toContain("`ioredis` through src/lib/index.ts");
    expect(renderMessage("import-boundary.not-allowed", ev)).toContain("`zod`");
    expect(renderMessage("import-boundary.unresolved", ev)).toContain("fails closed");
    expect(renderMessage("import-boundary.cycle", ev)).toContain("a → b → a");
    expect(renderMessage("import-boundary.forbidden", { ...ev, via: "" })).not.toContain("through");
  });
});
