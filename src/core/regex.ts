import type { RE2 } from "re2-wasm";
import { CompileError } from "./compile-error.js";

/**
 * re2-wasm compiles its 0.9 MB WebAssembly module when it is loaded (~10–35 ms of a cold CLI
 * run), and most policies have no regex at all: load it on the first regex compiled.
 * `process.getBuiltinModule` (Node ≥20.16) keeps this module free of a `node:module` import.
 */
let re2: typeof RE2 | undefined;
const loadRe2 = (): typeof RE2 => (re2 ??= (process.getBuiltinModule("node:module").createRequire(import.meta.url)("re2-wasm") as typeof import("re2-wasm")).RE2);

/**
 * User regexes run on RE2: linear time, so a crafted invariant file or repository cannot stall
 * a worker (V8 takes 2.7 s on `/^(a+)+$/` with 26 characters).
 */
export interface SafeRegex {
  readonly source: string;
  /** Every match in `text`, as UTF-16 offsets. */
  readonly matchAll: (text: string) => Array<{ index: number; text: string }>;
  readonly test: (text: string) => boolean;
}

const RE2_HELP = "RE2 syntax: no backreferences (`\\1`) and no lookaround (`(?=`, `(?<=`); see https://github.com/google/re2/wiki/Syntax";

export function compileRegex(source: string, field: readonly (string | number)[], flags: { ignoreCase?: boolean; multiline?: boolean } = {}): SafeRegex {
  if (source === "") throw new CompileError(field, "a non-empty RE2 regular expression", RE2_HELP);
  const f = `u${flags.ignoreCase ? "i" : ""}${flags.multiline ? "m" : ""}`;
  let once: RE2;
  let global: RE2;
  const RE2 = loadRe2();
  try {
    once = new RE2(source, f);
    global = new RE2(source, `g${f}`);
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: /, "");
    throw new CompileError(field, `a valid RE2 regular expression, got \`${source}\` (${why})`, RE2_HELP);
  }
  return {
    source,
    test: (text) => once.test(text),
    matchAll(text) {
      const out: Array<{ index: number; text: string }> = [];
      global.lastIndex = 0;
      for (;;) {
        const m = global.exec(text);
        if (!m) break;
        out.push({ index: m.index, text: m[0] ?? "" });
        // An empty match would loop forever; step past it.
        if (m[0] === "") global.lastIndex = m.index + 1;
        if (global.lastIndex > text.length) break;
      }
      return out;
    },
  };
}

/** 1-based line and column of a UTF-16 offset. */
export function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}
