import { createRequire } from "node:module";
import type { EcmaScriptModule, OxcError } from "oxc-parser";
import { createLineIndex, type LineIndex } from "./line-index.js";
import { NAMESPACE, type ModuleRecord, type RecordedBinding, type RecordedProblem, type RecordedReexport, type RecordedSpecifier } from "./module-record.js";
import { commentTester, mayContainRequire, scanRequires } from "./scan-require.js";
import { scanBrokenFile } from "./scan-broken-file.js";
import { literalValue, scanModuleRecord } from "./scan-module.js";
import { isSourcePath, JSX_PATH, optionsFor, syntaxAccepted } from "./syntax-verdict.js";
import { MAX_NESTING, nestingOverflowAt } from "./nesting-depth.js";

export { EXTRACTOR_VERSION } from "./module-record.js";
export { isSourcePath } from "./syntax-verdict.js";
export type { ModuleRecord, RecordedBinding, RecordedProblem, RecordedReexport, RecordedSpecifier } from "./module-record.js";

const MAX_REASON = 300;

/**
 * oxc-parser is loaded on first use: with the quick path it is needed only for the few files
 * the scan leaves to it, and loading it costs each thread ~25–90 ms (Node ≥20.19 requires ESM).
 */
const loadModule = createRequire(import.meta.url);
let oxcParser: typeof import("oxc-parser") | undefined;
const oxc = (): typeof import("oxc-parser") => (oxcParser ??= loadModule("oxc-parser") as typeof import("oxc-parser"));

type Parsed = { module: EcmaScriptModule; errors: OxcError[]; comments: () => readonly { start: number; end: number }[] };

const crashed = (err: unknown): ModuleRecord => ({ specifiers: [], localExports: [], reexports: [], problems: [{ line: 1, column: 1, reason: clip(`parser crashed: ${(err as Error).message}`) }] });

/**
 * Never throws, never crashes: a file the parser rejects yields a problem plus whatever the
 * parser recovered; a file nested deep enough to overflow oxc's native stack (which would kill
 * the process, not throw) is not handed to oxc at all and yields only a problem.
 */
export function extractModuleRecord(path: string, text: string): ModuleRecord {
  return tooDeep(path, text) ?? scanRecord(path, text) ?? parseRecord(path, text);
}

/** The record from oxc-parser's module record, whatever the file (the quick path's reference). */
export function parseModuleRecord(path: string, text: string): ModuleRecord {
  return tooDeep(path, text) ?? parseRecord(path, text);
}

function parseRecord(path: string, text: string): ModuleRecord {
  let parsed: Parsed;
  try {
    parsed = parse(path, text);
  } catch (err) {
    return crashed(err);
  }
  return recordOf(path, text, parsed);
}

/**
 * The same record, parsed on libuv's thread pool. oxc builds (and serialises) the whole AST in
 * Rust; doing that off the main thread, several files at a time, measured 2.4× faster and 45%
 * less memory than `parseSync` on a 10k-file repository (2 cores).
 */
export async function extractModuleRecordAsync(path: string, text: string): Promise<ModuleRecord> {
  const quick = tooDeep(path, text) ?? scanRecord(path, text);
  if (quick !== null) return quick;
  let parsed: Parsed;
  try {
    parsed = await parseOffThread(path, text);
  } catch (err) {
    return crashed(err);
  }
  return recordOf(path, text, parsed);
}

/**
 * The record read by scan-module.ts when the scan understood all of the file and oxc's
 * transformer (the same parser crate and version, given the same language and source type as
 * optionsFor gives the parser) finds no error: transforming keeps no AST in JS and costs a
 * quarter of oxc-parser's serialised AST (1k-file benchmark, 2 cores). A file with any error,
 * even one parseSync would not report, is parsed in full, so its problems are exactly today's
 * (and a plain `.js` file that only parses as CommonJS still gets the parser's retry).
 */
export function quickRecord(path: string, text: string): ModuleRecord | null {
  return tooDeep(path, text) === null ? scanRecord(path, text) : null;
}

function scanRecord(path: string, text: string): ModuleRecord | null {
  const record = scanUnverified(path, text);
  return record !== null && syntaxAccepted(path, text) ? record : null;
}

/**
 * extractModuleRecord with its syntax verdict (oxc's transform, native code) had on another
 * thread: the scan's record, which stands if quickVerdict accepts the file, or null, when the
 * file is to be extracted in full (parseModuleRecord). Either way the result is
 * extractModuleRecord's. No nesting guard here: the scan is JavaScript and gives up on a stack
 * overflow, and quickVerdict refuses a file too deep for oxc.
 */
export function scanUnverified(path: string, text: string): ModuleRecord | null {
  return isSourcePath(path) ? scanModuleRecord(path, text) : null;
}

/** The record of a file too deep to parse safely (see nesting-depth.ts), or null. */
function tooDeep(path: string, text: string): ModuleRecord | null {
  const at = nestingOverflowAt(text, JSX_PATH.test(path));
  if (at === -1) return null;
  const { line, column } = createLineIndex(text).positionAt(at);
  const reason = `nests deeper than ${MAX_NESTING} levels (brackets, templates, JSX or operator chains): not parsed, so its imports are unknown`;
  return { specifiers: [], localExports: [], reexports: [], problems: [{ line, column, reason }] };
}

function recordOf(path: string, text: string, parsed: Parsed): ModuleRecord {
  const lines = createLineIndex(text);
  const specifiers: RecordedSpecifier[] = [];
  const localExports: string[] = [];
  const reexports: RecordedReexport[] = [];
  const positioned: { offset: number; spec: RecordedSpecifier }[] = [];
  const add = (offset: number, spec: Omit<RecordedSpecifier, "line" | "column">): void => {
    const { line, column } = lines.positionAt(offset);
    positioned.push({ offset, spec: { specifier: spec.specifier, syntax: spec.syntax, line, column, typeOnly: spec.typeOnly, bindings: spec.bindings } });
  };

  const mod = parsed.module;
  // Namespace imports re-exported by name (`import * as ns from "x"; export { ns }`) are the
  // one re-export oxc leaves as a plain local export, so remember where each local came from.
  const namespaceLocals = new Map<string, { specifier: string; typeOnly: boolean }>();
  const importRequestStarts = new Set<number>();
  for (const imp of mod.staticImports) {
    const specifier = imp.moduleRequest.value;
    importRequestStarts.add(imp.moduleRequest.start);
    const bindings: RecordedBinding[] = imp.entries.map((e) => ({ name: importedName(e.importName), typeOnly: e.isType }));
    for (const e of imp.entries) {
      if ((e.importName.kind as string) === "NamespaceObject") namespaceLocals.set(e.localName.value, { specifier, typeOnly: e.isType });
    }
    const typeOnly = bindings.length > 0 ? bindings.every((b) => b.typeOnly) : /^import\s+type\s*\{/.test(text.slice(imp.start, imp.moduleRequest.start));
    add(imp.moduleRequest.start, { specifier, syntax: "import", typeOnly, bindings });
  }

  for (const exp of mod.staticExports) {
    // One `export … from` statement is one edge, whatever the number of names it lists.
    const bySource = new Map<number, { specifier: string; bindings: RecordedBinding[] }>();
    for (const e of exp.entries) {
      const exportName = exportedName(e.exportName);
      if (e.moduleRequest === null) {
        const ns = e.localName.name === null ? undefined : namespaceLocals.get(e.localName.name);
        if (ns && exportName !== null) reexports.push({ exportName, importName: NAMESPACE, specifier: ns.specifier, typeOnly: ns.typeOnly || e.isType });
        else if (exportName !== null) localExports.push(exportName);
        continue;
      }
      const specifier = e.moduleRequest.value;
      const importName = (e.importName.kind as string) === "Name" ? (e.importName.name ?? NAMESPACE) : NAMESPACE;
      reexports.push({ exportName: exportName ?? NAMESPACE, importName, specifier, typeOnly: e.isType });
      // `import { q } from "./q"; export { q }` comes back as an indirect export pointing at the
      // import's literal: the import already made the edge, so only the re-export is new.
      if (importRequestStarts.has(e.moduleRequest.start)) continue;
      let group = bySource.get(e.moduleRequest.start);
      if (!group) bySource.set(e.moduleRequest.start, (group = { specifier, bindings: [] }));
      group.bindings.push({ name: importName, typeOnly: e.isType });
    }
    for (const [offset, g] of bySource) add(offset, { specifier: g.specifier, syntax: "export", typeOnly: g.bindings.every((b) => b.typeOnly), bindings: g.bindings });
  }

  for (const dyn of mod.dynamicImports) {
    const specifier = literalValue(text.slice(dyn.moduleRequest.start, dyn.moduleRequest.end));
    if (specifier !== null) add(dyn.moduleRequest.start, { specifier, syntax: "dynamic", typeOnly: false, bindings: [{ name: NAMESPACE, typeOnly: false }] });
  }

  if (mayContainRequire(text)) {
    const hits = scanRequires(text, commentTester(parsed.comments()));
    for (const h of hits) add(h.offset, { specifier: h.specifier, syntax: h.syntax, typeOnly: h.typeOnly, bindings: [{ name: NAMESPACE, typeOnly: h.typeOnly }] });
  }

  const errors = parsed.errors.filter((e) => (e.severity as string) === "Error");
  if (errors.length > 0) {
    // The parser gave up at the first error; recover the static imports it never reached.
    // Bindings are unknown, so static imports found this way are not followed through barrels.
    const seen = new Set(positioned.map((p) => p.offset));
    for (const h of scanBrokenFile(text)) {
      if (seen.has(h.offset)) continue;
      const bindings = h.syntax === "dynamic" ? [{ name: NAMESPACE, typeOnly: false }] : [];
      add(h.offset, { specifier: h.specifier, syntax: h.syntax, typeOnly: h.typeOnly, bindings });
    }
  }

  positioned.sort((a, b) => a.offset - b.offset);
  for (const p of positioned) specifiers.push(p.spec);
  return { specifiers, localExports: [...new Set(localExports)], reexports, problems: problemsOf(errors, lines) };
}

function parse(path: string, text: string): Parsed {
  const first = oxc().parseSync(path, text, optionsFor(path));
  let result = first;
  // Plain `.js` may be CommonJS with a top-level `return`, which only parses as a script body.
  if (first.errors.length > 0 && /\.jsx?$/.test(path)) {
    const retry = oxc().parseSync(path, text, { lang: "jsx", sourceType: "commonjs" });
    if (retry.errors.length < first.errors.length) result = retry;
  }
  return { module: result.module, errors: result.errors, comments: () => result.comments };
}

async function parseOffThread(path: string, text: string): Promise<Parsed> {
  const first = await oxc().parse(path, text, optionsFor(path));
  let result = first;
  if (first.errors.length > 0 && /\.jsx?$/.test(path)) {
    const retry = await oxc().parse(path, text, { lang: "jsx", sourceType: "commonjs" });
    if (retry.errors.length < first.errors.length) result = retry;
  }
  return { module: result.module, errors: result.errors, comments: () => result.comments };
}

function importedName(n: { kind: unknown; name: string | null }): string {
  const kind = n.kind as string;
  if (kind === "Default") return "default";
  if (kind === "Name" && n.name !== null) return n.name;
  return NAMESPACE;
}

function exportedName(n: { kind: unknown; name: string | null }): string | null {
  const kind = n.kind as string;
  if (kind === "Default") return "default";
  if (kind === "Name") return n.name;
  return null;
}

/** One problem per file: the first error is the one worth fixing; later ones are often its echo. */
function problemsOf(errors: readonly OxcError[], lines: LineIndex): RecordedProblem[] {
  const first = errors[0];
  if (!first) return [];
  const at = first.labels[0] ? lines.positionAt(first.labels[0].start) : { line: 1, column: 1 };
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return [{ ...at, reason: clip(`${first.message}${more}`) }];
}

function clip(s: string): string {
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON - 1)}…` : s;
}
