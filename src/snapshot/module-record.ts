import type { ImportSyntax } from "../core/snapshot.js";

/**
 * Part of every cache key. Bump the leading number whenever the record shape or what is
 * extracted changes; the parser version is included because a parser upgrade can change
 * what is recovered from a broken file. imports-2: files nested past MAX_NESTING are no longer parsed.
 */
export const EXTRACTOR_VERSION = "imports-2+oxc-0.151";

/**
 * What one source file says about its imports and exports, before any resolution. It depends
 * only on the file's bytes, so it is cached by blob SHA + EXTRACTOR_VERSION; resolution depends
 * on the whole tree and is redone every run. Plain JSON: no Maps, no class instances, no
 * undefined, so a record survives a round trip through the disk cache unchanged.
 */
export interface ModuleRecord {
  /** Every module reference with a literal specifier, in source order. */
  readonly specifiers: readonly RecordedSpecifier[];
  /** Names this module declares and exports itself (`export const x`, `export default …`). */
  readonly localExports: readonly string[];
  /** Names this module exports on behalf of another module (what makes it a barrel). */
  readonly reexports: readonly RecordedReexport[];
  /** Syntax errors; the other fields hold whatever the parser recovered. */
  readonly problems: readonly RecordedProblem[];
}

export interface RecordedSpecifier {
  readonly specifier: string;
  readonly syntax: ImportSyntax;
  /** 1-based position of the specifier literal (not the statement), UTF-16 columns. */
  readonly line: number;
  readonly column: number;
  readonly typeOnly: boolean;
  /**
   * What the statement takes from the target: export names, `default`, or `*` for the whole
   * namespace (`import * as`, `export *`, `require`, `import()`, `import x = require`).
   * Empty for a side-effect-only `import "x"`.
   */
  readonly bindings: readonly RecordedBinding[];
}

export interface RecordedBinding {
  readonly name: string;
  readonly typeOnly: boolean;
}

export interface RecordedReexport {
  /** Name under which this module exports it; `*` for `export * from` (every name but default). */
  readonly exportName: string;
  /** Name taken from the source module; `*` for its whole namespace. */
  readonly importName: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

export interface RecordedProblem {
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

/** `*` in bindings and reexports: the whole namespace (or, as an export name, `export *`). */
export const NAMESPACE = "*";
