/**
 * oxc's module record covers ESM syntax only, so CommonJS `require("x")` and TypeScript's
 * `import x = require("x")` are found by a scan of the text. The pattern has no nested
 * quantifiers and a bounded literal, so a hostile file costs linear time, not a backtracking
 * blow-up. Matches inside comments are dropped (the caller supplies the comment ranges);
 * a `require("x")` spelled inside a string literal is still counted — telling strings apart
 * needs the full syntax tree, which costs 3–4× the parse itself.
 */

export interface RequireHit {
  readonly specifier: string;
  /** Offset of the specifier literal's opening quote. */
  readonly offset: number;
  readonly syntax: "require" | "import-equals";
  readonly typeOnly: boolean;
}

const REQUIRE = /\brequire\s*\(\s*(?:'([^'\\\n]{1,500})'|"([^"\\\n]{1,500})"|`([^`\\$\n]{1,500})`)\s*\)/g;
const IMPORT_EQUALS = /\bimport\s+(type\s+)?[A-Za-z_$][\w$]*\s*=\s*$/;
/** How far back to look for `import x =`: longer identifiers than this are not real code. */
const LOOKBEHIND = 200;

/** Cheap pre-check so the common ESM-only file skips the scan and the comment lookup entirely. */
export function mayContainRequire(text: string): boolean {
  return text.includes("require");
}

export function scanRequires(text: string, inComment: (offset: number) => boolean): RequireHit[] {
  const hits: RequireHit[] = [];
  REQUIRE.lastIndex = 0;
  for (let m = REQUIRE.exec(text); m !== null; m = REQUIRE.exec(text)) {
    const before = m.index > 0 ? text[m.index - 1] : "";
    // `obj.require(…)` and `$require(…)` are someone else's function, not the module loader.
    if (before === "." || before === "$") continue;
    if (inComment(m.index)) continue;
    const specifier = m[1] ?? m[2] ?? m[3] ?? "";
    const offset = m.index + m[0].search(/['"`]/);
    const eq = IMPORT_EQUALS.exec(text.slice(Math.max(0, m.index - LOOKBEHIND), m.index));
    hits.push(eq ? { specifier, offset, syntax: "import-equals", typeOnly: eq[1] !== undefined } : { specifier, offset, syntax: "require", typeOnly: false });
  }
  return hits;
}

/** Builds an `inComment` test from sorted, non-overlapping comment spans. */
export function commentTester(comments: readonly { start: number; end: number }[]): (offset: number) => boolean {
  return (offset) => {
    let lo = 0;
    let hi = comments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = comments[mid]!;
      if (offset < c.start) hi = mid - 1;
      else if (offset >= c.end) lo = mid + 1;
      else return true;
    }
    return false;
  };
}
