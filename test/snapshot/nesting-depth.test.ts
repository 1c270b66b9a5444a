import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractModuleRecord } from "../../src/snapshot/extract-imports.js";
import { createRng } from "../../bench/prng.js";
import { MAX_NESTING, measureNesting, nestingOverflowAt, withinNestingBound } from "../../src/snapshot/nesting-depth.js";

/**
 * Hostile nesting: each shape at a depth that kills the process inside oxc (a native stack
 * overflow, measured on oxc 0.158 at 4–45k levels on a 4–8 MB stack), and at a depth real code
 * reaches. Deep inputs are extracted in a child process, so a regression fails this test
 * instead of killing vitest.
 */
const SHAPES: Record<string, (n: number) => string> = {
  template: (n) => "`${".repeat(n) + "1" + "}`".repeat(n),
  paren: (n) => "(".repeat(n) + "1" + ")".repeat(n),
  bracket: (n) => "[".repeat(n) + "1" + "]".repeat(n),
  object: (n) => "{a:".repeat(n) + "1" + "}".repeat(n),
  jsx: (n) => "<a>".repeat(n) + "</a>".repeat(n),
  jsxExpression: (n) => "<a>{".repeat(n) + "1" + "}</a>".repeat(n),
  // JSX text may hold what separates siblings elsewhere: it must not hide the nesting.
  jsxText: (n) => "<a>x, y; {z} w ".repeat(n) + "</a>".repeat(n),
  arrow: (n) => "a=>".repeat(n) + "1",
  ternary: (n) => "a?b:".repeat(n) + "c",
  call: (n) => "a" + "()".repeat(n),
  member: (n) => "a" + ".b".repeat(n),
  unary: (n) => "!".repeat(n) + "1",
  binary: (n) => "1" + "+1".repeat(n),
  greater: (n) => "1" + ">1".repeat(n),
  newChain: (n) => "new ".repeat(n) + "A",
  assign: (n) => "x=".repeat(n) + "1",
};
const moduleWith = (expr: string) => `import { a } from "./a";\nexport const x = ${expr};\n`;
const genericModule = (n: number) => `import type { A } from "./a";\nexport type X = ${"A<B, ".repeat(n)}1${">".repeat(n)};\n`;
const blockModule = (n: number) => `import { a } from "./a";\nexport function f() ${"{".repeat(n)}${"}".repeat(n)}\n`;
const ifModule = (n: number) => `import { a } from "./a";\nexport function f() { ${"if (a) ".repeat(n)}; }\n`;

const HOSTILE = 200_000;
const hostileFiles = (): Array<[string, string]> => [
  ...Object.entries(SHAPES).map(([name, shape]): [string, string] => [`${name}.tsx`, moduleWith(shape(HOSTILE))]),
  ["generic.ts", genericModule(HOSTILE)],
  ["block.ts", blockModule(HOSTILE)],
  ["ifs.ts", ifModule(HOSTILE)],
];

const ROOT = join(import.meta.dirname, "..", "..");
/** Runs `body` (ESM, top-level await) under tsx in a fresh process; a crash shows as a signal. */
function inChild(body: string) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", body], { cwd: ROOT, encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe("nesting guard", () => {
  it("the hostile inputs really do kill a process that hands them to oxc unguarded", () => {
    const r = inChild(`import { transformSync } from "oxc-transform";\nconst text = "export const x = " + "\`\${".repeat(${HOSTILE}) + "1" + "}\`".repeat(${HOSTILE}) + ";";\ntransformSync("a.ts", text, {});\nconsole.log("survived");`);
    expect(r.stdout).not.toContain("survived");
    expect(r.signal ?? r.status).not.toBe(0);
  });

  it("turns every hostile shape into one problem, without handing it to oxc, in every entry point", () => {
    // The texts are large: rebuild them in the child from the same recipes rather than ship them.
    const recipes = `
const SHAPES = {${Object.entries(SHAPES).map(([k, f]) => `${JSON.stringify(k)}: ${f.toString()}`).join(",\n")}};
const moduleWith = ${moduleWith.toString()};
const genericModule = ${genericModule.toString()};
const blockModule = ${blockModule.toString()};
const ifModule = ${ifModule.toString()};
const HOSTILE = ${HOSTILE};
const hostileFiles = ${hostileFiles.toString()};
`;
    const r = inChild(`
import { extractModuleRecord, extractModuleRecordAsync, parseModuleRecord, quickRecord } from "./src/snapshot/extract-imports.ts";
${recipes}
for (const [path, text] of hostileFiles()) {
  const records = [extractModuleRecord(path, text), parseModuleRecord(path, text), await extractModuleRecordAsync(path, text)];
  console.log(JSON.stringify({ path, records, quick: quickRecord(path, text) }));
}
`);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { path: string; records: unknown[]; quick: unknown });
    expect(lines.map((l) => l.path)).toEqual(hostileFiles().map(([p]) => p));
    for (const { path, records, quick } of lines) {
      expect(quick, path).toBeNull();
      for (const record of records) {
        expect(record, path).toEqual({ specifiers: [], localExports: [], reexports: [], problems: [{ line: 2, column: expect.any(Number), reason: expect.stringContaining(`nests deeper than ${MAX_NESTING} levels`) }] });
      }
    }
  }, 120_000);

  it("parses the same shapes at depths real code reaches", () => {
    const files: Array<[string, string]> = [
      ...Object.entries(SHAPES).map(([name, shape]): [string, string] => [`${name}.tsx`, moduleWith(shape(300))]),
      ["generic.ts", genericModule(300)],
      ["block.ts", blockModule(300)],
      ["ifs.ts", ifModule(300)],
    ];
    for (const [path, text] of files) {
      const record = extractModuleRecord(path, text);
      expect(record.problems, path).toEqual([]);
      expect(record.specifiers.map((s) => s.specifier), path).toEqual(["./a"]);
    }
  });

  it("points at where the bound is crossed, and counts brackets along the whole nest", () => {
    const text = `import { a } from "./a";\n\n${"(".repeat(MAX_NESTING + 1)}1${")".repeat(MAX_NESTING + 1)};\n`;
    expect(extractModuleRecord("a.ts", text).problems).toEqual([{ line: 3, column: MAX_NESTING + 1, reason: expect.stringContaining("not parsed") }]);
    // Exactly at the bound still parses.
    expect(nestingOverflowAt("(".repeat(MAX_NESTING) + ")".repeat(MAX_NESTING), false)).toBe(-1);
    // Siblings do not add up: a long file of shallow statements, JSX siblings and arguments.
    const wide = [
      `export const f = () => (<ul>${"<li a=\"1\">x</li><br/>".repeat(5000)}</ul>);`,
      `export const g = [${"[1, (2)], ".repeat(20000)}];`,
      `${"if (a) { b(); }\n".repeat(5000)}`,
      // In a JSX file a type argument list outside any bracket reads as an open element: hundreds, not thousands.
      `${"export function f(a: Map<string, Array<number>>): Promise<void> {}\n".repeat(500)}`,
      `export const s = "${"(".repeat(5000)}" + '${"[".repeat(5000)}'; // ${"{".repeat(5000)}`,
    ].join("\n");
    expect(nestingOverflowAt(wide, true)).toBe(-1);
    expect(nestingOverflowAt(wide.slice(wide.indexOf("\n")), false)).toBe(-1);
    expect(nestingOverflowAt(`${"export function f(a: Map<string, Array<number>>): Promise<void> {}\n".repeat(20000)}`, false)).toBe(-1);
  });
});

describe("the quick bound before the full pass", () => {
  /** The fewest levels at which the full pass finds no overflow: the file's measured depth. */
  const depthOf = (text: string, jsx: boolean): number => {
    let lo = 0;
    let hi = 1;
    while (measureNesting(text, jsx, hi) !== -1) hi *= 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (measureNesting(text, jsx, mid) === -1) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const TOKENS = ["(", ")", "[", "]", "{", "}", "<a>", "</a>", "<T", ">", "/>", "`x${", "}`", "=>", "?", ":", "=", "+", "!", ".", ",", ";", "new ", "await ", "in ", "a", "b ", "x as ", '"(("', "// ((\n", "/* [[ */", "if (a) ", "\n"];

  it("never passes a file the full pass would stop, on random token soups", () => {
    const rng = createRng(2026);
    let tight = 0;
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: rng.int(1, 120) }, () => rng.pick(TOKENS)).join("");
      for (const jsx of [false, true]) {
        const depth = depthOf(text, jsx);
        // Where the full pass overflows, the bound must not claim the file fits.
        if (depth > 0) expect(withinNestingBound(text, depth - 1), JSON.stringify(text)).toBe(false);
        if (withinNestingBound(text, depth) && !withinNestingBound(text, depth - 1)) tight++;
      }
    }
    // Some soups sit exactly at the bound, so a bound one level too generous fails above.
    expect(tight).toBeGreaterThan(0);
  });

  it("is exact for a run of open brackets, and lets the full pass judge what it cannot rule out", () => {
    for (const k of [1, 7, 50, MAX_NESTING]) {
      const text = "(".repeat(k);
      expect(depthOf(text, false)).toBe(k);
      expect(withinNestingBound(text, k)).toBe(true);
      expect(withinNestingBound(text, k - 1)).toBe(false);
    }
    // Shallow but long: the bound gives up and the full pass finds nothing.
    const long = "f(a, b);\n".repeat(2000);
    expect(withinNestingBound(long, MAX_NESTING)).toBe(false);
    expect(nestingOverflowAt(long, false)).toBe(-1);
    for (const [name, shape] of Object.entries(SHAPES)) {
      for (const n of [1, 5, 40]) {
        const text = moduleWith(shape(n));
        const depth = depthOf(text, true);
        expect(withinNestingBound(text, depth - 1), name).toBe(false);
      }
    }
  });
});
