import { describe, expect, it } from "vitest";
import { compilePolicy } from "../../src/core/compile.js";
import { parsePolicyFile } from "../../src/core/parse.js";

const ok = `version: 1
invariants:
  - id: no-console
    kind: content
    why: Findings are data.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
`;

function errorsOf(text: string, path = "invariants/a.yml") {
  const r = parsePolicyFile(path, text);
  if (r.ok) throw new Error("expected errors");
  return r.errors;
}

describe("parsePolicyFile", () => {
  it("accepts a valid file and fills defaults", () => {
    const r = parsePolicyFile("invariants/a.yml", ok);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.file.data.invariants[0]!.enforcement).toBe("block");
  });

  it.each([
    ["malformed YAML", "version: 1\ninvariants: [\n", 3, "valid YAML"],
    ["duplicate keys", "version: 1\nversion: 1\n", 2, "duplicate key"],
    ["unknown tag", "version: 1\ninvariants: !!python/object x\n", 2, "standard YAML tags"],
    ["alias", "version: 1\nx: &a [1]\ninvariants: *a\n", 2, "anchor"],
    ["__proto__ key", "version: 1\n__proto__:\n  polluted: 1\n", 2, "reserved key"],
    ["constructor key", "version: 1\ninvariants:\n  - constructor: {}\n", 3, "reserved key"],
    ["wrong version", "version: 2\n", 1, "one of the listed values"],
    ["unknown top-level key", "version: 1\nrules: []\n", 2, "unknown key"],
    ["unknown kind", "version: 1\ninvariants:\n  - id: a\n    kind: magic\n    why: w\n", 4, "known kind"],
    ["unknown kind field", ok + "    colour: red\n", 8, "unknown key"],
    ["missing why", "version: 1\ninvariants:\n  - id: a\n    kind: content\n    files: [x]\n    forbid: y\n", 3, "required"],
    ["bad enforcement", ok + "    enforcement: maybe\n", 8, '"block", "warn", "observe"'],
    ["bad id", ok.replace("no-console", "No Console"), 3, "stable id"],
    ["empty document", "", 1, "empty document"],
  ])("%s → located error", (_name, text, line, contains) => {
    const errors = errorsOf(text);
    const hit = errors.find((e) => e.line === line && `${e.field} ${e.expected} ${e.allowed ?? ""}`.includes(contains));
    expect(hit, JSON.stringify(errors)).toBeTruthy();
    expect(hit!.file).toBe("invariants/a.yml");
  });

  it("lists the allowed keys for an unknown key", () => {
    const [e] = errorsOf(ok + "    colour: red\n");
    expect(e!.field).toBe("invariants[0].colour");
    expect(e!.allowed).toContain("forbid");
    expect(e!.column).toBe(5);
  });

  it("rejects a 10 MB file before parsing it", () => {
    const big = "version: 1\n# " + "x".repeat(10 * 1024 * 1024) + "\n";
    const t = performance.now();
    const [e] = errorsOf(big);
    expect(e!.expected).toMatch(/at most \d+ bytes/);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it("rejects a billion-laughs alias bomb without expanding it", () => {
    const lines = ["version: 1", 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(",")}]`);
    const errors = errorsOf(lines.join("\n") + "\n");
    expect(errors.some((e) => e.expected.includes("alias") || e.expected.includes("anchor"))).toBe(true);
  });

  it("never lets a __proto__ key reach an object prototype", () => {
    errorsOf("version: 1\n__proto__:\n  polluted: yes\n");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("compilePolicy", () => {
  it("rejects duplicate ids across files, naming the first", () => {
    const r = compilePolicy([
      { path: "invariants/a.yml", text: ok },
      { path: "invariants/b.yml", text: ok },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]!.file).toBe("invariants/b.yml");
      expect(r.errors[0]!.expected).toContain("invariants/a.yml:3");
    }
  });

  it("rejects a waiver for an unknown invariant, listing the known ones", () => {
    const r = compilePolicy([{ path: "invariants/a.yml", text: ok + "waivers:\n  - invariant: nope\n    path: src/x.ts\n    reason: r\n    owner: '@a'\n    expires: 2027-01-01\n" }]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]!.line).toBe(9);
      expect(r.errors[0]!.allowed).toContain("no-console");
    }
  });

  it.each([
    ["bad glob", ok.replace('"src/**/*.ts"', '"src/[a.ts"'), 6, "well-formed glob"],
    ["non-RE2 regex", ok.replace("'console\\.log'", "'(a)\\1'"), 7, "RE2"],
    ["invalid regex", ok.replace("'console\\.log'", "'(unclosed'"), 7, "RE2"],
  ])("%s → compile error at the field's line", (_n, text, line, contains) => {
    const r = compilePolicy([{ path: "invariants/a.yml", text }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.find((e) => e.line === line && `${e.expected} ${e.allowed}`.includes(contains)), JSON.stringify(r.errors)).toBeTruthy();
  });

  it("digest changes with content and is stable otherwise", () => {
    const a = compilePolicy([{ path: "invariants/a.yml", text: ok }]);
    const b = compilePolicy([{ path: "invariants/a.yml", text: ok }]);
    const c = compilePolicy([{ path: "invariants/a.yml", text: ok + "\n" }]);
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(a.policy.digest).toBe(b.policy.digest);
      expect(a.policy.digest).not.toBe(c.policy.digest);
    }
  });
});
