import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createRng } from "../../bench/prng.js";
import { planImports, plantViolations } from "../../bench/synth-imports.js";
import { planLayout } from "../../bench/synth-layout.js";
import { renderBarrel, renderModule } from "../../bench/synth-source.js";
import { extractModuleRecord, parseModuleRecord, quickRecord } from "../../src/snapshot/extract-imports.js";
import { scanModuleRecord } from "../../src/snapshot/scan-module.js";
import { WARM_UP_SAMPLES } from "../../src/snapshot/warm-up.js";

/**
 * The quick path (scan-module.ts + oxc-transform's verdict) must give oxc-parser's record to
 * the byte, or give up. Each case is held to both: identical when it answers, and for the
 * cases marked `quick`, it must answer (so the fast path is not silently never taken).
 */
function expectSameRecord(path: string, text: string): boolean {
  const quick = quickRecord(path, text);
  if (quick !== null) expect({ path, record: quick }).toEqual({ path, record: parseModuleRecord(path, text) });
  return quick !== null;
}

const QUICK: Array<[string, string]> = [
  ["imports of every form", `import a, { b, c as d, type E, default as f } from "./a";\nimport * as ns from './ns';\nimport type T from "t";\nimport type { U } from "u";\nimport type * as V from "v";\nimport type {} from "empty-type";\nimport {} from "empty";\nimport "side";\nimport x, * as y from "xy";\nimport type, { z } from "z";\n`],
  ["exports of every local form", `export const a = 1;\nexport let b: number;\nexport var c = [1, 2];\nexport function f() {}\nexport async function g() {}\nexport function* h() {}\nexport class C {}\nexport abstract class D {}\nexport interface I {}\nexport type T = { a: 1, b: 2 };\nexport enum E { A, B }\nexport const enum F { A }\nexport declare const d: number;\nexport declare function df(): void;\nexport namespace N {}\nexport module M {}\nexport default class {}\nconst q = 1, r = 2;\nexport { q, r as s, q as default2 };\nexport type { T as T2 };\nexport {};\n`],
  ["re-exports", `export * from "./a";\nexport type * from "./b";\nexport * as ns from "./c";\nexport type * as tns from "./d";\nexport { x, y as z, type W, default, default as dd } from "./e";\nexport type { P, Q as R } from "./f";\nexport {} from "./g";\nexport { v as default } from "./h";\n`],
  ["dynamic imports, require and import-equals", `import fs = require("fs");\nimport type TT = require("tt");\nimport Alias = Foo.Bar;\nconst a = require("a");\nconst b = require('b'), c = require(\`c\`);\n// require("in-comment")\n/* require("in-block") */\nconst s = "require('in-string')";\nexport async function load() {\n  const m = await import("./m");\n  const n = await import(\`./n\`);\n  const o = await import("./o" + x);\n  const p = await import(name);\n  return import("./p", { with: { type: "json" } });\n}\nconst lazy = () => import("./lazy");\nconst lazier = () => import("./lazier").then((m) => m.default);\nimport("./statement");\nobj.require("not-this");\n$require("nor-this");\n`],
  ["strings, templates, regexes and comments that look like imports", `const a = "import x from 'no'";\nconst b = 'export * from "no"';\nconst c = \`import y from "no" \${"}" + \`\${'{'}\`} export {}\`;\nconst d = /import z from "no"/g.test(a) ? 1 / 2 : /[/"']/.exec(b);\nconst e = a! / 2, f = (1) / 2 / 3;\nlet g = 1; g++ / 2;\n// import q from "no";\n/* export { q } from "no"; */\nimport real from "./real";\nconst h = x.import + y.export + z?.import;\nconst o = { import: 1, export: 2 };\nimport.meta.url;\n`],
  ["TypeScript syntax around imports", `import { Foo } from "./foo";\nfunction h<T extends Foo>(x: T): Map<string, Array<number>> { return new Map<string, Array<number>>(); }\nconst i = <T,>(x: T) => x;\nconst j = x as unknown as Foo;\nconst k = y satisfies Foo;\nabstract class A<T> { abstract m(): T; private p = 1; #q = 2; }\n@decorator() class D { @prop() x = 1; }\nexport { h };\n`],
  ["unicode and unusual whitespace", `// é — ✓\nconst é = "ü";\u00a0import { a } from "./a";\u2028export const b = 1;\nconst c = \`π\`; import d from "./d";\n`],
  ["a file with nothing in it", ``],
  ["spreads next to member accesses", `export async function f(xs: unknown[]) {\n  return [...xs, ...await import("./spread"), a?.import, b.export];\n}\n`],
  ["a hashbang-free script with ASI", `import a from "./a"\nimport b from "./b"\nexport const c = a + b\nexport function d() { return c }\n`],
  ["the one-step statement shapes, spaced every way they can be", `import{a}from"./a";\nimport type{B}from'./b';\nimport {\n  c,\n  type D,\n  e as f,\n  type G as h,\n} from "./c";\nimport { type, i } from "./i";\nimport { as, as as z } from "./as";\nimport {} from "./empty";\nimport type {} from "./empty-type";\nimport { default as j, k as default2 } from "./j";\nexport const enum E { A }\nexport async function af() {}\nexport type T<X> = X;\nexport namespace N {}\nexport *as ns from "./ns";\nexport type * from "./types";\nexport type * as tns from "./tns";\nexport let l = 1\nexport * from "./after-asi"\n1, 2;\n`],
  ["the token path where a one-step shape does not fit", `import { a /* note */, b } from "./a";\nimport { é } from "./e";\nimport { f } from "./it's";\nexport const x = import.meta.url;\nexport function* gen() {}\nexport declare const y: number;\nexport * as ns /* note */ from "./ns";\n`],
  ["the synthetic benchmark's statement shapes", `import { alpha as i0 } from "../core/alpha.js";\nimport type { Beta as i1 } from "@app/beta";\nimport * as i2 from "./gamma";\nconst i3 = require("../delta");\nexport async function loader() { const i4 = await import("./epsilon"); return i4; }\nexport * from "./zeta";\nexport { eta } from "./eta";\n`],
];

const TSX_QUICK: Array<[string, string]> = [
  ["JSX with expressions, attributes and fragments", `import { useState } from "react";\nimport Button from "./button";\nexport function View(props: { title: string }) {\n  const [open, setOpen] = useState(false);\n  return (\n    <section className="v" data-x={1} aria-label='q' {...props}>\n      <h2 onClick={() => setOpen(!open)}>{props.title} import x from "no"</h2>\n      {/* a comment with require("no-jsx") */}\n      {open ? <Button kind="a" icon={<span />} /> : null}\n      <>\n        <svg:rect xlink:href="#a" />\n        <Foo.Bar>text with ' and " and // slashes</Foo.Bar>\n      </>\n    </section>\n  );\n}\nconst lazy = () => import("./lazy-view");\n`],
];

/** Cases the scan must leave to oxc (or whose answer, if any, must still match). */
const EDGE: Array<[string, string]> = [
  ["an import binding re-exported by name", `import { q } from "./q";\nimport D from "./d";\nexport { q, D as E };\n`],
  ["a namespace import re-exported", `import * as ns from "./ns";\nexport { ns };\n`],
  ["an import binding as the default export", `import * as YAML from "./yaml";\nexport default YAML;\nexport * from "./yaml";\n`],
  ["an imported default as the default export", `import x from "./x";\nexport default x;\n`],
  ["export = and export as namespace", `const x = 1;\nexport = x;\n`],
  ["export as namespace", `export as namespace Lib;\nexport const a = 1;\n`],
  ["declare module with imports inside", `declare module "zz" {\n  import a from "inner";\n  export const y: number;\n}\nexport const q = 1;\n`],
  ["namespace with an export inside", `export namespace N { export const q = 1; }\n`],
  ["declare global", `export declare global { interface Window { x: 1 } }\nexport {};\n`],
  ["destructured export", `export const { a, b: c } = obj;\nexport const [d, e] = arr;\n`],
  ["two declarators", `export const a = 1, b = 2;\n`],
  ["a generic annotation with a comma", `export const m: Map<string, number> = new Map();\n`],
  ["string export names", `export { a as "a-b" } from "./a";\nconst x = 1;\nexport { x as "y z" };\n`],
  ["escapes in specifiers", `import a from "./\\u0061";\nconst b = require("./b\\x");\n`],
  ["import type from ambiguity", `import type from "./t";\nimport type, { a } from "./a";\n`],
  ["type as names", `import { type as } from "./a";\nimport { type as as b } from "./b";\nexport { type } from "./c";\n`],
  ["dynamic import in odd spots", `const a = [import("./a"), import("./b")];\nconst c = f(import("./c"));\nclass K { import() {} }\nconst d = x ? import("./d") : null;\n`],
  ["function type returning an import type", `type L = () => import("./m").T;\nlet f: () => import("./n").default;\n`],
  ["typeof import", `const t = typeof import("./t");\n`],
  ["hashbang", `#!/usr/bin/env node\nimport a from "./a";\n`],
  ["regex after a closing paren", `if (x) /'/.test(s);\nimport a from "./a";\n`],
  ["decorator on an export", `export @dec class A {}\n`],
  ["export import alias", `export import A = B.C;\n`],
  ["import attributes", `import data from "./data.json" with { type: "json" };\nexport { default as d } from "./d.json" with { type: "json" };\n`],
  ["a second declarator after import.meta", `export const a = import.meta.url, b = 2;\n`],
  ["type as names in a one-step list", `import { type as x } from "./a";\nimport { type as } from "./b";\nimport { , a } from "./c";\n`],
  ["a top-level return", `return;\nimport a from "./a";\n`],
];

const BROKEN: Array<[string, string, string[]?]> = [
  ["an unexpected token", `import { a } from "./a";\nexport function f(x) { return x +* 1 }\nimport b from "./b";\n`],
  ["an unterminated string", `import a from "./a";\nconst s = "oops;\n`],
  ["an unclosed brace", `import a from "./a";\nfunction f() {\n`],
  ["JSX in a .ts file", `import a from "./a";\nexport const C = () => <div>hi</div>;\n`, ["src/file.ts"]],
  ["an unterminated template", "import a from \"./a\";\nconst t = `${a}\n"],
  ["a keyword as a binding", `import a from "./a";\nlet let = 1;\nconst enum = 2;\n`],
  ["a stray closing bracket", `import a from "./a";\n]\n`],
  ["an import after a broken line", `const x = ;\nimport { y } from "./y";\n`],
];

describe("quick module records", () => {
  it.each(QUICK)("reads %s exactly as oxc does", (_name, text) => {
    expect(expectSameRecord("src/file.ts", text)).toBe(true);
    expect(expectSameRecord("src/file.mts", text)).toBe(true);
  });

  it("reads a generic arrow and a type assertion in a .ts file; in .mts, where they are errors, it defers to oxc", () => {
    const text = `export const id = <T>(x: T): T => x;\nconst n = <number>value;\nimport { value } from "./value";\n`;
    expect(expectSameRecord("src/file.ts", text)).toBe(true);
    expect(quickRecord("src/file.mts", text)).toBeNull();
    expect(extractModuleRecord("src/file.mts", text).problems).toHaveLength(1);
  });

  it.each(TSX_QUICK)("reads %s in a .tsx file exactly as oxc does", (_name, text) => {
    expect(expectSameRecord("src/file.tsx", text)).toBe(true);
  });

  it.each(EDGE)("leaves %s to oxc, or matches it", (_name, text) => {
    expectSameRecord("src/file.ts", text);
    expectSameRecord("src/file.tsx", text);
  });

  it("gives up on each construct it is not sure of, rather than guess", () => {
    const expectBail = ["a second declarator after import.meta", "type as names in a one-step list", "an import binding re-exported by name", "a namespace import re-exported", "an import binding as the default export", "an imported default as the default export", "destructured export", "two declarators", "string export names", "function type returning an import type", "typeof import", "regex after a closing paren"];
    for (const name of expectBail) {
      const text = EDGE.find(([n]) => n === name)![1];
      expect({ name, record: scanModuleRecord("src/file.ts", text) }).toEqual({ name, record: null });
    }
  });

  it.each(BROKEN)("parses a file with %s in full, so its problem is reported as before", (_name, text, paths = ["src/file.ts", "src/file.tsx"]) => {
    for (const path of paths) {
      expect(quickRecord(path, text)).toBeNull();
      const record = extractModuleRecord(path, text);
      expect(record).toEqual(parseModuleRecord(path, text));
      expect(record.problems.length).toBe(1);
    }
  });

  it("defers to oxc rather than throw on nesting deep enough to overflow its stack", () => {
    // (oxc itself is not given this file here: at this depth its parser overflows the native stack.)
    const deep = `import a from "./a";\nconst t = ${"`${".repeat(50_000)}1${"}`".repeat(50_000)};\n`;
    expect(scanModuleRecord("src/deep.ts", deep)).toBeNull();
  });

  it("validates each file with the language and source type the parser uses for it", () => {
    const esm = `import a from "./a";\nexport const b = 1;\n`;
    for (const path of ["a.ts", "a.tsx", "a.mts", "a.js", "a.jsx", "a.mjs"]) expect(expectSameRecord(path, esm)).toBe(true);
    // ESM syntax in a .cjs file is the parser's call (oxc 0.158 reports it, 0.151 does not), so the
    // quick path defers to it and the record is whatever the parser says (TypeScript allows it in .cts).
    expect(quickRecord("a.cjs", esm)).toBeNull();
    expect(extractModuleRecord("a.cjs", esm)).toEqual(parseModuleRecord("a.cjs", esm));
    expect(expectSameRecord("a.cts", esm)).toBe(true);
    expect(quickRecord("a.d.ts", esm)).toBeNull();
    const cjs = `const a = require("./a");\nmodule.exports = { b: a };\nreturn;\n`;
    for (const path of ["a.cjs", "a.cts"]) expect(expectSameRecord(path, cjs)).toBe(true);
    // A plain .js file with a top-level return parses only on the parser's CommonJS retry.
    expect(quickRecord("a.js", cjs)).toBeNull();
    expect(extractModuleRecord("a.js", cjs)).toEqual(parseModuleRecord("a.js", cjs));
  });

  it("matches oxc on the JavaScript and TypeScript of installed packages", () => {
    const root = fileURLToPath(new URL("../../node_modules/", import.meta.url));
    let quick = 0;
    let total = 0;
    for (const pkg of ["zod", "yaml", "semver", "picomatch", "diff", "ioredis", "bullmq", "@octokit", "pino"]) {
      for (const path of walk(join(root, pkg))) {
        if (!/\.(?:[cm]?[jt]sx?)$/.test(path) || /\.d\.[cm]?ts$/.test(path) || statSync(path).size > 300_000) continue;
        total++;
        if (expectSameRecord(relative(root, path), readFileSync(path, "utf8"))) quick++;
      }
    }
    expect(total).toBeGreaterThan(1000);
    expect(quick / total).toBeGreaterThan(0.8);
  }, 120_000);

  it("matches oxc on every source file of the fixture suites and of this repository", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    let quick = 0;
    let total = 0;
    for (const dir of ["test/cases", "src", "bench"]) {
      for (const path of walk(join(root, dir))) {
        if (!/\.(?:[cm]?[jt]sx?)$/.test(path) || /\.d\.[cm]?ts$/.test(path)) continue;
        total++;
        if (expectSameRecord(relative(root, path), readFileSync(path, "utf8"))) quick++;
      }
    }
    expect(total).toBeGreaterThan(300);
    expect(quick / total).toBeGreaterThan(0.9);
  });

  it.each([1000, 10000])("matches oxc on every file of the %i-file synthetic benchmark repository (seed 1)", (files) => {
    const rng = createRng(1 ^ files);
    const layout = planLayout(files, rng);
    const planted = plantViolations(layout, rng);
    const sources: Array<[string, string]> = layout.modules.map((mod) => [mod.path, renderModule(mod, [...planImports(mod, layout, rng, planted.leaves.has(mod.path)), ...(planted.extra.get(mod.path) ?? [])], rng)]);
    for (const d of layout.dirs) sources.push([d.barrel, renderBarrel(d)]);
    expect(sources.length).toBeGreaterThanOrEqual(files * 0.95);
    for (const [path, text] of sources) {
      const quick = quickRecord(path, text);
      expect({ path, quick: quick !== null }).toEqual({ path, quick: true });
      expect({ path, record: quick }).toEqual({ path, record: parseModuleRecord(path, text) });
    }
  }, 120_000);

  it("warms up on samples the scan reads in full (a sample it gave up on would warm the wrong code)", () => {
    for (const [path, text] of WARM_UP_SAMPLES) expect(expectSameRecord(path, text)).toBe(true);
  });

  it("validates with the same oxc release as the parser that makes the reference records", () => {
    const require = createRequire(import.meta.url);
    const minor = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version.split(".").slice(0, 2).join(".");
    expect(minor("oxc-transform")).toBe(minor("oxc-parser"));
  });
});

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
