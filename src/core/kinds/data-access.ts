import { z } from "zod";
import { CompileError } from "../compile-error.js";
import { compileGlob, compileGlobs, matchesAny, type Glob } from "../glob.js";
import { baseFields, type InvariantHeader } from "../invariant-base.js";
import { headerOf, type KindModule, type RawFinding } from "../kind.js";
import { compileRegex, positionOf, type SafeRegex } from "../regex.js";
import type { ImportEdge } from "../snapshot.js";

/** Where raw queries usually hide; SQL files and migrations are left out on purpose (queries belong there). */
export const DEFAULT_SOURCE_FILES = ["**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py,rb,go,java,kt,cs,php,rs,scala,swift}"] as const;

export const dataAccessSchema = z
  .strictObject({
    ...baseFields,
    kind: z.literal("data-access"),
    modules: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("Data modules, like an import target: package names or globs (`pg`, `@prisma/*`, `node:sqlite`) or repository path globs (`src/db/client.ts`)."),
    patterns: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("RE2 patterns of raw data access, e.g. `\\bSELECT\\b[\\s\\S]+?\\bFROM\\b` (use `(?i)` for case-insensitive)."),
    files: z.array(z.string()).min(1).default([...DEFAULT_SOURCE_FILES]).describe("Globs of the files scanned for `patterns`."),
    allow: z.array(z.string()).default([]).describe("Globs of the files where data access is permitted."),
    exclude: z.array(z.string()).default([]).describe("Globs of files this rule ignores entirely (not even counted in coverage)."),
  })
  .describe("Data modules and raw-query patterns only from allowed paths.");

export type DataAccessInput = z.infer<typeof dataAccessSchema>;

/** One `modules` entry, matched against package, builtin and file targets alike. */
export interface DataModule {
  readonly source: string;
  readonly glob: Glob;
}

export interface CompiledDataAccess extends InvariantHeader {
  readonly modules: readonly DataModule[];
  readonly patterns: readonly SafeRegex[];
  readonly files: readonly Glob[];
  readonly allow: readonly Glob[];
  readonly exclude: readonly Glob[];
}

function stripNodePrefix(name: string): string {
  return name.startsWith("node:") ? name.slice("node:".length) : name;
}

/** The part of a bare specifier that names the package: `@prisma/client/edge` → `@prisma/client`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * The first `modules` entry this edge reaches, or null. Package targets are compared both by
 * name and by the package part of the specifier, so a deep import (`pg/lib/client`) counts as `pg`.
 */
export function dataModuleOf(modules: readonly DataModule[], edge: ImportEdge): DataModule | null {
  const t = edge.target;
  let names: string[];
  if (t.type === "file") names = [t.path];
  else if (t.type === "package") names = [t.name, packageOf(t.name), packageOf(edge.specifier)];
  else if (t.type === "builtin") names = [t.name, stripNodePrefix(t.name), `node:${stripNodePrefix(t.name)}`];
  // An unresolved bare specifier is still a package reference (the package may just not be installed).
  else if (edge.specifier.startsWith(".") || edge.specifier.startsWith("/")) return null;
  else names = [edge.specifier, packageOf(edge.specifier)];
  return modules.find((m) => names.some((n) => m.glob.test(n))) ?? null;
}

function targetName(edge: ImportEdge): string {
  const t = edge.target;
  return t.type === "file" ? t.path : t.type === "unresolved" ? edge.specifier : t.name;
}

const oneLine = (s: string): string => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
};

export const dataAccess: KindModule<DataAccessInput, CompiledDataAccess> = {
  kind: "data-access",
  schema: dataAccessSchema,
  reads: ["tree", "contents", "imports"],
  compile(input) {
    if (input.modules === undefined && input.patterns === undefined) {
      throw new CompileError(["modules"], "at least one of `modules` or `patterns`", "`modules: [<package or path glob>]` and/or `patterns: [<RE2 pattern>]`");
    }
    return {
      ...headerOf(input),
      modules: (input.modules ?? []).map((m, i) => ({ source: m, glob: compileGlob(m, ["modules", i]) })),
      patterns: (input.patterns ?? []).map((p, i) => compileRegex(p, ["patterns", i], { multiline: true })),
      files: compileGlobs(input.files, ["files"]),
      allow: compileGlobs(input.allow, ["allow"]),
      exclude: compileGlobs(input.exclude, ["exclude"]),
    };
  },
  evaluate(c, { snapshot }) {
    const findings: RawFinding[] = [];
    const touching = new Set<string>();
    const allowed = c.allow.length > 0 ? c.allow.map((g) => `\`${g.source}\``).join(", ") : "nowhere";

    if (c.modules.length > 0) {
      for (const edge of snapshot.imports) {
        // Type-only imports are erased at build time: they name a data module's types, they do not reach the data.
        if (edge.typeOnly || matchesAny(c.exclude, edge.from)) continue;
        const hit = dataModuleOf(c.modules, edge);
        if (!hit) continue;
        touching.add(edge.from);
        if (matchesAny(c.allow, edge.from)) continue;
        const target = targetName(edge);
        findings.push({
          code: "data-access.import",
          path: edge.from,
          line: edge.line,
          column: edge.column,
          evidence: { module: hit.source, target, specifier: edge.specifier, via: edge.via.join(" → "), allowed },
          key: `${edge.from}|import|${hit.source}|${target}|${edge.via.join(">")}`,
        });
      }
    }

    if (c.patterns.length > 0) {
      for (const path of snapshot.files) {
        if (!matchesAny(c.files, path) || matchesAny(c.exclude, path)) continue;
        const text = snapshot.contents.get(path);
        if (text === undefined) continue; // binary/oversized: reported by the snapshot, not guessed at
        if (matchesAny(c.allow, path)) {
          if (c.patterns.some((re) => re.test(text))) touching.add(path);
          continue;
        }
        for (const re of c.patterns) {
          for (const m of re.matchAll(text)) {
            touching.add(path);
            const match = oneLine(m.text);
            findings.push({
              code: "data-access.query",
              path,
              ...positionOf(text, m.index),
              evidence: { pattern: re.source, match, allowed },
              key: `${path}|pattern|${re.source}|${match}`,
            });
          }
        }
      }
    }
    return { findings, coverage: { unit: "files", matched: touching.size } };
  },
};
