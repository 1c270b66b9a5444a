import type { ImportSyntax } from "../core/snapshot.js";
import type { ModuleRecord, RecordedBinding, RecordedProblem, RecordedReexport, RecordedSpecifier } from "./module-record.js";

/**
 * Compact positional encoding of a ModuleRecord for the disk cache: about a third of the
 * size of the object form, and decoding checks every field while it rebuilds the objects, so
 * loading 10k records stays well under the budget of a whole cached run. Decoding never
 * throws; anything malformed (a torn write, a hand edit) decodes to null and is re-parsed.
 *
 * Shape: [specifiers, localExports, reexports, problems]
 *   specifier: [specifier, syntax index, line, column, typeOnly 0|1, bindings]
 *   binding:   the name, prefixed with `!` when type-only (`!` starts no identifier)
 *   reexport:  [exportName, importName, specifier, typeOnly 0|1]
 *   problem:   [line, column, reason]
 */
export type EncodedRecord = [unknown[], string[], unknown[], unknown[]];

const SYNTAXES: readonly ImportSyntax[] = ["import", "export", "require", "import-equals", "dynamic"];

export function encodeRecord(r: ModuleRecord): EncodedRecord {
  return [
    r.specifiers.map((s) => [s.specifier, SYNTAXES.indexOf(s.syntax), s.line, s.column, s.typeOnly ? 1 : 0, s.bindings.map((b) => (b.typeOnly ? `!${b.name}` : b.name))]),
    [...r.localExports],
    r.reexports.map((x) => [x.exportName, x.importName, x.specifier, x.typeOnly ? 1 : 0]),
    r.problems.map((p) => [p.line, p.column, p.reason]),
  ];
}

const isStr = (v: unknown): v is string => typeof v === "string";
const isPos = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1;
const isFlag = (v: unknown): v is 0 | 1 => v === 0 || v === 1;

export function decodeRecord(value: unknown): ModuleRecord | null {
  if (!Array.isArray(value) || value.length !== 4) return null;
  const [specs, locals, reexps, probs] = value as unknown[];
  if (!Array.isArray(specs) || !Array.isArray(locals) || !Array.isArray(reexps) || !Array.isArray(probs)) return null;
  const specifiers: RecordedSpecifier[] = [];
  for (const s of specs) {
    if (!Array.isArray(s) || s.length !== 6) return null;
    const [specifier, syntaxIndex, line, column, typeOnly, names] = s as unknown[];
    const syntax = typeof syntaxIndex === "number" ? SYNTAXES[syntaxIndex] : undefined;
    if (!isStr(specifier) || syntax === undefined || !isPos(line) || !isPos(column) || !isFlag(typeOnly) || !Array.isArray(names)) return null;
    const bindings: RecordedBinding[] = [];
    for (const n of names) {
      if (!isStr(n) || n === "" || n === "!") return null;
      bindings.push(n.startsWith("!") ? { name: n.slice(1), typeOnly: true } : { name: n, typeOnly: false });
    }
    specifiers.push({ specifier, syntax, line, column, typeOnly: typeOnly === 1, bindings });
  }
  if (!locals.every(isStr)) return null;
  const reexports: RecordedReexport[] = [];
  for (const x of reexps) {
    if (!Array.isArray(x) || x.length !== 4) return null;
    const [exportName, importName, specifier, typeOnly] = x as unknown[];
    if (!isStr(exportName) || !isStr(importName) || !isStr(specifier) || !isFlag(typeOnly)) return null;
    reexports.push({ exportName, importName, specifier, typeOnly: typeOnly === 1 });
  }
  const problems: RecordedProblem[] = [];
  for (const p of probs) {
    if (!Array.isArray(p) || p.length !== 3) return null;
    const [line, column, reason] = p as unknown[];
    if (!isPos(line) || !isPos(column) || !isStr(reason)) return null;
    problems.push({ line, column, reason });
  }
  return { specifiers, localExports: locals as string[], reexports, problems };
}

/**
 * JSON text of records whose encoding was made where they were parsed: a parse thread encodes
 * what it parsed while the calling thread is still busy, so writing a cold run's cache (1k
 * records: ~15 ms of encoding, at the very end of the run) only joins strings. Keyed by the
 * record object, which never changes once made, so the text cannot go stale.
 */
const encodedElsewhere = new WeakMap<ModuleRecord, string>();

/** Notes `json` as the encoding of `record` (it must be `JSON.stringify(encodeRecord(record))`). */
export function noteEncoding(record: ModuleRecord, json: string): void {
  encodedElsewhere.set(record, json);
}

/** `JSON.stringify(encodeRecord(record))`, made now unless it was made where the record was parsed. */
export function encodedJson(record: ModuleRecord): string {
  return encodedElsewhere.get(record) ?? JSON.stringify(encodeRecord(record));
}
