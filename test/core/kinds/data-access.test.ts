import { describe, expect, it } from "vitest";
import { CompileError } from "../../../src/core/compile-error.js";
import { dataAccess, dataAccessSchema } from "../../../src/core/kinds/data-access.js";
import { renderMessage } from "../../../src/core/messages/index.js";
import type { ImportEdge, RepoSnapshot } from "../../../src/core/snapshot.js";
import { base, ctx, edge, file, input, pkg, snapshotOf } from "./handmade-snapshot.js";

function compile(fields: Record<string, unknown>) {
  return dataAccess.compile(dataAccessSchema.parse({ id: "db", kind: "data-access", ...base, ...fields }), ctx);
}

const SQL = String.raw`\bSELECT\b[\s\S]+?\bFROM\b`;

function run(fields: Record<string, unknown>, snapshot: RepoSnapshot) {
  return dataAccess.evaluate(compile(fields), input(snapshot));
}

const codes = (out: ReturnType<typeof run>) => out.findings.map((f) => [f.code, f.path, f.line]);

describe("data-access compile", () => {
  it("requires modules or patterns", () => {
    expect(() => compile({ allow: ["src/db/**"] })).toThrow(CompileError);
  });

  it("rejects a non-RE2 pattern with its field", () => {
    expect(() => compile({ patterns: ["ok", "(?<=x)y"] })).toThrow(expect.objectContaining({ field: ["patterns", 1] }));
  });

  it("rejects a bad module glob with its field", () => {
    expect(() => compile({ modules: ["pg", "/abs"] })).toThrow(expect.objectContaining({ field: ["modules", 1] }));
  });

  it("defaults files to common source extensions", () => {
    const c = compile({ patterns: ["x"] });
    expect(c.files.some((g) => g.test("src/a.ts"))).toBe(true);
    expect(c.files.some((g) => g.test("db/migrations/001.sql"))).toBe(false);
  });
});

type Row = [name: string, rule: Record<string, unknown>, imports: ImportEdge[], expected: Array<[string, string, number]>, coverage: number];

const files = { "src/api/users.ts": "", "src/repositories/users.ts": "", "src/db/index.ts": "" };

const importRows: Row[] = [
  ["package import outside allow", { modules: ["pg"], allow: ["src/repositories/**"] }, [edge("src/api/users.ts", "pg", pkg("pg"), { line: 3 })], [["data-access.import", "src/api/users.ts", 3]], 1],
  ["package import inside allow", { modules: ["pg"], allow: ["src/repositories/**"] }, [edge("src/repositories/users.ts", "pg", pkg("pg"))], [], 1],
  ["deep import counts as the package", { modules: ["pg"] }, [edge("src/api/users.ts", "pg/lib/client", pkg("pg"))], [["data-access.import", "src/api/users.ts", 1]], 1],
  ["package name carrying its subpath", { modules: ["pg"] }, [edge("src/api/users.ts", "pg/lib/client", pkg("pg/lib/client"))], [["data-access.import", "src/api/users.ts", 1]], 1],
  ["scoped package glob", { modules: ["@prisma/*"] }, [edge("src/api/users.ts", "@prisma/client", pkg("@prisma/client"))], [["data-access.import", "src/api/users.ts", 1]], 1],
  ["lookalike package is not a match", { modules: ["pg"] }, [edge("src/api/users.ts", "pg-format", pkg("pg-format"))], [], 0],
  ["file path glob", { modules: ["src/db/**"], allow: ["src/repositories/**"] }, [edge("src/api/users.ts", "../db/index.js", file("src/db/index.ts"))], [["data-access.import", "src/api/users.ts", 1]], 1],
  [
    "through a barrel",
    { modules: ["@prisma/client"], allow: ["src/repositories/**", "src/db/**"] },
    [
      edge("src/db/index.ts", "@prisma/client", pkg("@prisma/client"), { syntax: "export" }),
      edge("src/api/users.ts", "../db/index.js", file("src/db/index.ts"), { line: 2 }),
      edge("src/api/users.ts", "../db/index.js", pkg("@prisma/client"), { line: 2, via: ["src/db/index.ts"] }),
    ],
    [["data-access.import", "src/api/users.ts", 2]],
    2,
  ],
  ["builtin with or without node:", { modules: ["node:sqlite"] }, [edge("src/api/users.ts", "sqlite", { type: "builtin", name: "sqlite" })], [["data-access.import", "src/api/users.ts", 1]], 1],
  ["unresolved bare specifier still counts", { modules: ["pg"] }, [edge("src/api/users.ts", "pg", { type: "unresolved" })], [["data-access.import", "src/api/users.ts", 1]], 1],
  ["unresolved relative specifier is ignored", { modules: ["pg"] }, [edge("src/api/users.ts", "./pg", { type: "unresolved" })], [], 0],
  ["type-only imports do not reach data", { modules: ["@prisma/client"] }, [edge("src/api/users.ts", "@prisma/client", pkg("@prisma/client"), { typeOnly: true })], [], 0],
  ["excluded files are ignored", { modules: ["pg"], exclude: ["**/*.test.ts"] }, [edge("src/api/users.test.ts", "pg", pkg("pg"))], [], 0],
  ["require and dynamic import count", { modules: ["pg"] }, [edge("src/api/users.ts", "pg", pkg("pg"), { syntax: "require", line: 4 }), edge("src/api/users.ts", "pg", pkg("pg"), { syntax: "dynamic", line: 9 })], [["data-access.import", "src/api/users.ts", 4], ["data-access.import", "src/api/users.ts", 9]], 1],
];

describe("data-access imports", () => {
  it.each(importRows)("%s", (_name, rule, imports, expected, coverage) => {
    const out = run(rule, snapshotOf(files, imports));
    expect(codes(out)).toEqual(expected);
    expect(out.coverage).toEqual({ unit: "files", matched: coverage });
  });

  it("says where access is allowed and what was reached", () => {
    const [f] = run({ modules: ["@prisma/client"], allow: ["src/repositories/**"] }, snapshotOf(files, [edge("src/api/users.ts", "../db/index.js", pkg("@prisma/client"), { via: ["src/db/index.ts"] })])).findings;
    const text = renderMessage(f!.code, f!.evidence);
    expect(text).toContain("@prisma/client");
    expect(text).toContain("src/db/index.ts");
    expect(text).toContain("`src/repositories/**`");
  });
});

const sqlRows: Array<[name: string, rule: Record<string, unknown>, files: Record<string, string>, expected: Array<[string, string, number]>, coverage: number]> = [
  ["raw SQL outside allow", { patterns: [SQL], allow: ["src/repositories/**"] }, { "src/api/users.ts": "const a = 1;\nconst q = `SELECT id\n  FROM users`;\n" }, [["data-access.query", "src/api/users.ts", 2]], 1],
  ["raw SQL inside allow", { patterns: [SQL], allow: ["src/repositories/**"] }, { "src/repositories/users.ts": "db.query('SELECT * FROM users')" }, [], 1],
  ["two queries in one file", { patterns: [SQL] }, { "src/a.ts": "q('SELECT 1 FROM a')\nq('SELECT 2 FROM b')\n" }, [["data-access.query", "src/a.ts", 1], ["data-access.query", "src/a.ts", 2]], 1],
  ["case-sensitive by default", { patterns: [SQL] }, { "src/a.ts": "// select the row from the list" }, [], 0],
  ["(?i) makes it case-insensitive", { patterns: [`(?i)${SQL}`] }, { "src/a.ts": "x = 'select a from b'" }, [["data-access.query", "src/a.ts", 1]], 1],
  ["only files matching `files` are scanned", { patterns: [SQL] }, { "db/migrations/001.sql": "SELECT 1 FROM x", "README.md": "SELECT 1 FROM x" }, [], 0],
  ["custom files", { patterns: [SQL], files: ["**/*.sql"] }, { "db/q.sql": "SELECT 1 FROM x" }, [["data-access.query", "db/q.sql", 1]], 1],
  ["excluded files are not scanned", { patterns: [SQL], exclude: ["test/**"] }, { "test/a.ts": "SELECT 1 FROM x" }, [], 0],
  ["several patterns", { patterns: [SQL, String.raw`\bINSERT\s+INTO\b`] }, { "src/a.ts": "a('INSERT INTO t VALUES (1)')\nb('SELECT x FROM t')" }, [["data-access.query", "src/a.ts", 1], ["data-access.query", "src/a.ts", 2]], 1],
];

describe("data-access patterns", () => {
  it.each(sqlRows)("%s", (_name, rule, tree, expected, coverage) => {
    const out = run(rule, snapshotOf(tree));
    expect(codes(out).sort()).toEqual(expected.sort());
    expect(out.coverage).toEqual({ unit: "files", matched: coverage });
  });

  it("skips files without text (binary, oversized)", () => {
    expect(run({ patterns: [SQL] }, snapshotOf({ "src/blob.js": "binary" })).findings).toEqual([]);
  });

  it("flattens and clips the match in evidence", () => {
    const long = `SELECT ${"col, ".repeat(100)}\n\n id FROM t`;
    const [f] = run({ patterns: [SQL] }, snapshotOf({ "src/a.ts": long })).findings;
    expect(String(f!.evidence.match)).not.toContain("\n");
    expect(String(f!.evidence.match).length).toBeLessThanOrEqual(200);
    expect(renderMessage(f!.code, f!.evidence)).toContain("nowhere");
  });

  it("counts a file once when it both imports and queries", () => {
    const out = run({ modules: ["pg"], patterns: [SQL] }, snapshotOf({ "src/a.ts": "SELECT 1 FROM t" }, [edge("src/a.ts", "pg", pkg("pg"))]));
    expect(out.findings).toHaveLength(2);
    expect(out.coverage.matched).toBe(1);
  });
});
