import { z } from "zod";
import { CompileError } from "../compile-error.js";
import { compileGlobs, matchesAny, type Glob } from "../glob.js";
import { findCycles } from "../import-cycles.js";
import { baseFields, type InvariantHeader } from "../invariant-base.js";
import { headerOf, type KindModule, type RawFinding } from "../kind.js";
import type { ImportEdge, ImportTarget } from "../snapshot.js";

const targetList = z.array(z.string().min(1));

export const importBoundarySchema = z
  .strictObject({
    ...baseFields,
    kind: z.literal("import-boundary"),
    from: z.array(z.string()).min(1).describe("Globs of the importing files this rule governs, e.g. `src/core/**`."),
    exclude: z.array(z.string()).default([]).describe("Globs of importing files to leave out (tests, generated code)."),
    forbid: targetList
      .min(1)
      .optional()
      .describe("What `from` files must not import: file globs (`src/github/**`) or package/builtin names and globs (`ioredis`, `@octokit/*`, `node:fs`; `fs` and `node:fs` are the same, `lodash` covers `lodash/fp`)."),
    allow: targetList
      .optional()
      .describe("Allow-list: when present, `from` files may import only other files matched by `from`, and targets listed here (same syntax as `forbid`). An import that resolves to no file fails closed."),
    cycles: z.enum(["forbid", "allow"]).default("allow").describe("`forbid` reports every import cycle among the files matched by `from`."),
    typeOnly: z
      .enum(["count", "ignore"])
      .default("count")
      .describe("`ignore` leaves out `import type` / `export type` edges (erased at build time); `count` judges them like any import."),
  })
  .describe("Layer rules over the resolved import graph (tsconfig paths, re-exports, require, dynamic import), optional no-cycles.");

export type ImportBoundaryInput = z.infer<typeof importBoundarySchema>;

export interface CompiledImportBoundary extends InvariantHeader {
  readonly from: readonly Glob[];
  readonly exclude: readonly Glob[];
  readonly forbid: readonly Glob[];
  /** null: no allow-list, anything not forbidden passes. */
  readonly allow: readonly Glob[] | null;
  readonly cycles: "forbid" | "allow";
  readonly typeOnly: "count" | "ignore";
}

/**
 * Names a target may be matched by. Packages: the name and the bare specifier, so `lodash`
 * and `lodash/fp` both work as entries. Builtins: with and without `node:`, and the parent
 * module, so `fs` and `node:fs` both cover `node:fs/promises`. Unresolved: nothing.
 */
export function targetNames(edge: ImportEdge): string[] {
  const t = edge.target;
  if (t.type === "file") return [t.path];
  if (t.type === "package") {
    const spec = edge.specifier;
    return spec === t.name || spec.startsWith(`${t.name}/`) ? [t.name, spec] : [t.name];
  }
  if (t.type === "builtin") {
    const bare = t.name.startsWith("node:") ? t.name.slice(5) : t.name;
    const parent = bare.split("/")[0]!;
    return [...new Set([t.name, bare, `node:${parent}`, parent])];
  }
  return [];
}

function firstMatch(globs: readonly Glob[], names: readonly string[]): Glob | null {
  for (const g of globs) for (const n of names) if (g.test(n)) return g;
  return null;
}

export function targetLabel(t: ImportTarget): string {
  return t.type === "file" ? t.path : t.type === "unresolved" ? "(unresolved)" : t.name;
}

const MAX_LIST = 300;
const listed = (globs: readonly Glob[]): string => {
  const s = globs.map((g) => `\`${g.source}\``).join(", ");
  return s.length > MAX_LIST ? `${s.slice(0, MAX_LIST - 1)}…` : s;
};

/**
 * Semantics, in the order they apply to each edge out of a `from` file (not `exclude`d):
 * 1. `typeOnly: ignore` drops type-only edges entirely (boundaries and cycles).
 * 2. A target matched by `forbid` is `import-boundary.forbidden`, even when `allow` also lists it.
 * 3. With `allow`: a target matched by `from` (exclude does not matter: it is still the same
 *    layer) or by an `allow` entry passes; an unresolved specifier is `import-boundary.unresolved`
 *    (fail closed: what cannot be resolved cannot be shown to be allowed); anything else is
 *    `import-boundary.not-allowed`. Without `allow`, unresolved edges pass: there is nothing to
 *    show they reach a forbidden target.
 * Barrel edges (`via` non-empty) are judged like direct ones, except that a statement whose
 * direct edge already violates does not also report what lies behind the barrel.
 * Coverage counts direct edges out of `from` files, type-only included: 0 means the rule
 * governs no import at all.
 */
export const importBoundary: KindModule<ImportBoundaryInput, CompiledImportBoundary> = {
  kind: "import-boundary",
  schema: importBoundarySchema,
  reads: ["tree", "imports"],
  compile(input) {
    if (input.forbid === undefined && input.allow === undefined && input.cycles !== "forbid") {
      throw new CompileError(["forbid"], "at least one of `forbid`, `allow` or `cycles: forbid`", "`forbid: [<path glob or package>]`, `allow: [<path glob or package>]` and/or `cycles: forbid`");
    }
    return {
      ...headerOf(input),
      from: compileGlobs(input.from, ["from"]),
      exclude: compileGlobs(input.exclude, ["exclude"]),
      forbid: compileGlobs(input.forbid ?? [], ["forbid"]),
      allow: input.allow === undefined ? null : compileGlobs(input.allow, ["allow"]),
      cycles: input.cycles,
      typeOnly: input.typeOnly,
    };
  },
  evaluate(c, { snapshot }) {
    const governed = memoize((path: string) => matchesAny(c.from, path) && !matchesAny(c.exclude, path));
    const sameLayer = memoize((path: string) => matchesAny(c.from, path));
    const counted = (e: ImportEdge): boolean => c.typeOnly === "count" || !e.typeOnly;
    const findings: RawFinding[] = [];
    const violating = new Set<string>();

    const judge = (e: ImportEdge): { code: string; extra: Record<string, string> } | null => {
      const forbidden = firstMatch(c.forbid, targetNames(e));
      if (forbidden) return { code: "import-boundary.forbidden", extra: { entry: forbidden.source } };
      if (c.allow === null) return null;
      if (e.target.type === "unresolved") return { code: "import-boundary.unresolved", extra: {} };
      if (e.target.type === "file" && sameLayer(e.target.path)) return null;
      if (firstMatch(c.allow, targetNames(e))) return null;
      return { code: "import-boundary.not-allowed", extra: { allowed: c.allow.length > 0 ? listed(c.allow) : "nothing outside `from`", from: listed(c.from) } };
    };
    const report = (e: ImportEdge, verdict: { code: string; extra: Record<string, string> }): void => {
      const target = targetLabel(e.target);
      const via = e.via.join(" → ");
      findings.push({
        code: verdict.code,
        path: e.from,
        line: e.line,
        column: e.column,
        evidence: { specifier: e.specifier, target, via, syntax: e.syntax, typeOnly: e.typeOnly, ...verdict.extra },
        key: `${e.from}|${e.target.type === "unresolved" ? `unresolved:${e.specifier}` : target}|${e.via.join(">")}`,
      });
    };

    // Direct edges first, so the barrel edges of an already-violating statement can be skipped.
    for (const e of snapshot.imports) {
      if (e.via.length > 0 || !governed(e.from) || !counted(e)) continue;
      const verdict = judge(e);
      if (!verdict) continue;
      violating.add(statementKey(e));
      report(e, verdict);
    }
    for (const e of snapshot.imports) {
      if (e.via.length === 0 || !governed(e.from) || !counted(e) || violating.has(statementKey(e))) continue;
      const verdict = judge(e);
      if (verdict) report(e, verdict);
    }
    if (c.cycles === "forbid") findings.push(...cycleFindings(snapshot.imports, governed, counted));
    // Coverage is what the selectors reach: the files `from` governs. A layer with no imports at
    // all is still protected (vacuity means the globs point at nothing, not that code is clean).
    let matched = 0;
    for (const path of snapshot.files) if (governed(path)) matched++;
    return { findings, coverage: { unit: "files", matched } };
  },
};

const statementKey = (e: ImportEdge): string => `${e.from}\0${e.line}\0${e.column}\0${e.syntax}`;

/** Each cycle among governed files once, at the import that closes it (last node → first). */
function cycleFindings(edges: readonly ImportEdge[], governed: (p: string) => boolean, counted: (e: ImportEdge) => boolean): RawFinding[] {
  const successors = new Map<string, Set<string>>();
  const firstEdge = new Map<string, ImportEdge>();
  for (const e of edges) {
    if (e.via.length > 0 || e.target.type !== "file" || !counted(e) || !governed(e.from) || !governed(e.target.path)) continue;
    let s = successors.get(e.from);
    if (!s) successors.set(e.from, (s = new Set()));
    s.add(e.target.path);
    if (!successors.has(e.target.path)) successors.set(e.target.path, new Set());
    const key = `${e.from}\0${e.target.path}`;
    const prev = firstEdge.get(key);
    if (!prev || e.line < prev.line || (e.line === prev.line && e.column < prev.column)) firstEdge.set(key, e);
  }
  return findCycles(successors).map((cycle) => {
    const closer = firstEdge.get(`${cycle[cycle.length - 1]}\0${cycle[0]}`)!;
    return {
      code: "import-boundary.cycle",
      path: closer.from,
      line: closer.line,
      column: closer.column,
      evidence: { cycle: [...cycle, cycle[0]].join(" → "), length: cycle.length, specifier: closer.specifier, syntax: closer.syntax },
      key: `cycle|${cycle.join(">")}`,
    };
  });
}

function memoize(fn: (path: string) => boolean): (path: string) => boolean {
  const memo = new Map<string, boolean>();
  return (path) => {
    let v = memo.get(path);
    if (v === undefined) memo.set(path, (v = fn(path)));
    return v;
  };
}
