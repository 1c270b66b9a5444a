/**
 * Fallback for files the parser rejects: oxc stops at the first syntax error, so every
 * import below it would silently vanish from the graph. This scan finds the ESM forms
 * (`import … from "x"`, `import "x"`, `export … from "x"`, `import("x")`) in the whole text
 * (`require` has its own scan, which already covers every file). Patterns are
 * bounded (no nested quantifiers, at most 500 characters between keyword and literal) so
 * the cost stays linear on hostile input. It cannot tell strings or comments apart, which is
 * acceptable for a file that is already reported as broken.
 */

export interface BrokenFileHit {
  readonly specifier: string;
  /** Offset of the specifier literal's opening quote (what oxc reports for the same literal). */
  readonly offset: number;
  readonly syntax: "import" | "export" | "dynamic";
  readonly typeOnly: boolean;
}

const FROM = /\b(import|export)(\s+type\b)?[^;'"`]{0,500}?\bfrom\s*(['"])([^'"\\\n]{1,500})\3/g;
const SIDE_EFFECT = /\bimport\s*(['"])([^'"\\\n]{1,500})\1/g;
const DYNAMIC = /\bimport\s*\(\s*(['"])([^'"\\\n]{1,500})\1\s*\)/g;

export function scanBrokenFile(text: string): BrokenFileHit[] {
  const hits: BrokenFileHit[] = [];
  FROM.lastIndex = 0;
  for (let m = FROM.exec(text); m !== null; m = FROM.exec(text)) {
    const literal = m[0].length - m[4]!.length - 2;
    hits.push({ specifier: m[4]!, offset: m.index + literal, syntax: m[1] === "export" ? "export" : "import", typeOnly: m[2] !== undefined });
  }
  SIDE_EFFECT.lastIndex = 0;
  for (let m = SIDE_EFFECT.exec(text); m !== null; m = SIDE_EFFECT.exec(text)) {
    hits.push({ specifier: m[2]!, offset: m.index + m[0].length - m[2]!.length - 2, syntax: "import", typeOnly: false });
  }
  DYNAMIC.lastIndex = 0;
  for (let m = DYNAMIC.exec(text); m !== null; m = DYNAMIC.exec(text)) {
    hits.push({ specifier: m[2]!, offset: m.index + m[0].search(/['"]/), syntax: "dynamic", typeOnly: false });
  }
  return hits;
}
