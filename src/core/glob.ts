import picomatch from "picomatch";
import { CompileError } from "./compile-error.js";

/** A validated, compiled path glob. Paths are repository-relative with `/`. */
export interface Glob {
  readonly source: string;
  readonly test: (path: string) => boolean;
}

const GLOB_HELP = "a repository-relative glob such as `src/core/**` or `**/*.ts` (picomatch syntax, no leading `/` or `..`)";

function unbalanced(pattern: string): string | null {
  const pairs: Record<string, string> = { "[": "]", "{": "}", "(": ")" };
  const closing = new Set(Object.values(pairs));
  const stack: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\") { i++; continue; }
    if (ch in pairs) stack.push(pairs[ch]!);
    else if (closing.has(ch)) {
      if (stack.pop() !== ch) return `unexpected \`${ch}\` at position ${i + 1}`;
    }
  }
  return stack.length ? `unclosed \`${stack[stack.length - 1] === "]" ? "[" : stack[stack.length - 1] === "}" ? "{" : "("}\`` : null;
}

/** Compiles a glob, failing early with the field path when it cannot match what the author meant. */
export function compileGlob(pattern: string, field: readonly (string | number)[]): Glob {
  if (pattern.trim() === "") throw new CompileError(field, "a non-empty glob", GLOB_HELP);
  if (pattern.startsWith("/")) throw new CompileError(field, `a relative glob, got absolute \`${pattern}\``, GLOB_HELP);
  if (pattern.split("/").includes("..")) throw new CompileError(field, `a glob inside the repository, got \`${pattern}\``, GLOB_HELP);
  if (pattern.includes("\\")) throw new CompileError(field, `\`/\` as the path separator, got \`${pattern}\``, GLOB_HELP);
  const problem = unbalanced(pattern);
  if (problem) throw new CompileError(field, `a well-formed glob, got \`${pattern}\` (${problem})`, GLOB_HELP);
  let matcher: (p: string) => boolean;
  try {
    matcher = picomatch(pattern, { dot: true, strictBrackets: true });
  } catch (err) {
    throw new CompileError(field, `a valid glob, got \`${pattern}\` (${(err as Error).message})`, GLOB_HELP);
  }
  return { source: pattern, test: (p) => matcher(p) };
}

export function compileGlobs(patterns: readonly string[], field: readonly (string | number)[]): Glob[] {
  return patterns.map((p, i) => compileGlob(p, [...field, i]));
}

export function matchesAny(globs: readonly Glob[], path: string): boolean {
  for (const g of globs) if (g.test(path)) return true;
  return false;
}
