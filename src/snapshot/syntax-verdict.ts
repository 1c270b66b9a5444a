import type { ParserOptions } from "oxc-parser";
import { transformSync } from "oxc-transform";
import { nestingOverflowAt } from "./nesting-depth.js";

/**
 * Whether oxc accepts a source file's syntax, and the per-path parser options that verdict and
 * the parser share. Kept apart from extract-imports.ts so a verdict thread (verdict-worker.ts)
 * loads this and oxc-transform only: no scanner, no parser, nothing to compile before it works.
 */

const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"] as const;
const DECLARATION = /\.d\.[cm]?ts$/;

/** Whether a path is a source file whose imports become edges (declaration files only resolve). */
export function isSourcePath(path: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => path.endsWith(ext)) && !DECLARATION.test(path);
}

/** Files oxc parses with JSX enabled (see optionsFor). */
export const JSX_PATH = /\.(?:[cm]?js|jsx|tsx)$/;

export function optionsFor(path: string): ParserOptions {
  // JSX inside `.js` is the norm in React code bases; TypeScript and Babel accept it too.
  if (/\.(js|jsx)$/.test(path)) return { lang: "jsx", sourceType: "unambiguous" };
  if (path.endsWith(".mjs")) return { lang: "jsx", sourceType: "module" };
  if (path.endsWith(".cjs")) return { lang: "jsx", sourceType: "commonjs" };
  if (path.endsWith(".cts")) return { sourceType: "commonjs" };
  return {};
}

/**
 * Whether oxc's transformer, given the language and source type the parser would get, finds no
 * error. Only for a file within the nesting bound: deeper, oxc overflows the native stack.
 */
export function syntaxAccepted(path: string, text: string): boolean {
  try {
    const { lang, sourceType } = optionsFor(path);
    return transformSync(path, text, { ...(lang ? { lang } : {}), ...(sourceType ? { sourceType } : {}), jsx: "preserve" }).errors.length === 0;
  } catch {
    return false;
  }
}

/** The verdict a scanned record waits for (extract-imports.ts scanUnverified); safe on any thread, as the nesting guard runs first. */
export function quickVerdict(path: string, text: string): boolean {
  return isSourcePath(path) && nestingOverflowAt(text, JSX_PATH.test(path)) === -1 && syntaxAccepted(path, text);
}
