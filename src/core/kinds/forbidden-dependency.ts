import picomatch from "picomatch";
import semver from "semver";
import { z } from "zod";
import { CompileError } from "../compile-error.js";
import { compileGlobs, matchesAny, type Glob } from "../glob.js";
import { headerOf, type KindModule, type RawFinding } from "../kind.js";
import { baseFields, type InvariantHeader } from "../invariant-base.js";
import { manifestSourceOf } from "../manifest-files.js";
import { realPackage, splitNameAt, versionFact, versionInRange } from "../package-spec.js";
import type { DependencyRef, DependencySource } from "../snapshot.js";

/**
 * A package never enters the repository: not in any package.json (every workspace), lockfile
 * (package-lock, pnpm-lock, yarn.lock, transitive entries included) nor import.
 *
 * Version rules, when an entry has a range (`lodash@<4.17.21`):
 * - a lockfile's exact version must satisfy it; a manifest range must intersect it (`^3.3.0` can
 *   install 3.3.6, so it is reported even if today's lockfile pins a safe version);
 * - `npm:real@range` aliases are judged as `real` at `range`;
 * - versions semver cannot compare (git URLs, dist-tags, `workspace:`, `file:`) match only
 *   entries without a range: no evidence of a forbidden version, but the name alone is evidence;
 * - an import carries no version: it is reported when some manifest or lockfile anywhere in the
 *   repository (whatever `paths`/`sources` say, those only choose where findings land) has that
 *   package at a forbidden version.
 * Names match case-insensitively (the registry refuses names differing only in case).
 */

const SOURCES = ["manifest", "package-lock", "pnpm-lock", "yarn-lock", "import"] as const satisfies readonly DependencySource[];

export const forbiddenDependencySchema = z
  .strictObject({
    ...baseFields,
    kind: z.literal("forbidden-dependency").describe("A package must never enter manifests, lockfiles or imports."),
    packages: z
      .array(z.string().min(1))
      .min(1)
      .describe("Forbidden packages: a name or name glob, optionally `@<semver range>`: `left-pad`, `@evil/*`, `event-stream@3.3.6`, `lodash@<4.17.21`."),
    paths: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("Globs of the manifests, lockfiles and importing files that count (default: the whole repository)."),
    sources: z
      .array(z.enum(SOURCES))
      .min(1)
      .optional()
      .describe("Evidence that counts: manifest (package.json), package-lock, pnpm-lock, yarn-lock, import (default: all)."),
  })
  .describe("A package never enters any manifest, lockfile or import.");

export type ForbiddenDependencyInput = z.infer<typeof forbiddenDependencySchema>;

export interface ForbiddenPackage {
  /** The entry as written, quoted back in findings. */
  readonly source: string;
  readonly matchesName: (name: string) => boolean;
  /** Normalised semver range; null forbids every version. */
  readonly range: string | null;
}

export interface CompiledForbiddenDependency extends InvariantHeader {
  readonly packages: readonly ForbiddenPackage[];
  /** Null: every path counts. */
  readonly paths: readonly Glob[] | null;
  readonly sources: readonly DependencySource[];
}

const ENTRY_HELP =
  "a package name or name glob, optionally followed by `@<semver range>`: `left-pad`, `@evil/*`, `event-stream@3.3.6`, `lodash@<4.17.21`, `@scope/pkg@^2`";
const NAME_PART = /^[A-Za-z0-9._~*?[\]{},!-]+$/;

function nameProblem(name: string): string | null {
  const scoped = name.startsWith("@");
  const slash = name.indexOf("/");
  if (scoped && slash === -1) return "a scoped name needs `/name` (`@scope/name` or `@scope/*`)";
  if (!scoped && slash !== -1) return "only scoped names (`@scope/name`) contain `/`";
  const parts = scoped ? [name.slice(1, slash), name.slice(slash + 1)] : [name];
  if (parts.some((p) => p.includes("/"))) return "a package name has at most one `/`";
  if (parts.some((p) => !NAME_PART.test(p))) return "names use letters, digits and `-._~`, globs add `* ? [ ] { } , !`";
  return null;
}

function compileEntry(entry: string, index: number): ForbiddenPackage {
  const field = ["packages", index];
  const { name, rest } = splitNameAt(entry);
  const problem = entry.trim() !== entry ? "no surrounding spaces" : nameProblem(name);
  if (problem !== null) throw new CompileError(field, `a package entry, got \`${entry}\` (${problem})`, ENTRY_HELP);
  let matchesName: (name: string) => boolean;
  try {
    // A bare regex: picomatch's matcher wrapper costs several times the test itself, and this
    // runs for every entry against every ref of a large lockfile.
    const re = picomatch.makeRe(name, { nocase: true, dot: true, strictBrackets: true });
    matchesName = (n) => re.test(n);
  } catch (err) {
    throw new CompileError(field, `a valid name glob, got \`${name}\` (${(err as Error).message})`, ENTRY_HELP);
  }
  if (rest === null) return { source: entry, matchesName, range: null };
  const range = semver.validRange(rest, { loose: true });
  if (rest.trim() === "" || range === null) {
    throw new CompileError(field, `a semver range after \`${name}@\`, got \`${rest}\``, "ranges such as `3.3.6`, `<4.17.21`, `^2`, `>=1.0.0 <1.4.2` or `1.x`");
  }
  return { source: entry, matchesName, range };
}

/**
 * Manifest and lockfile refs by real package name, for judging versionless imports. Only names
 * some ranged entry can match are kept: a large lockfile would otherwise be copied whole.
 */
function refsByPackage(refs: readonly DependencyRef[], wanted: (name: string) => boolean): Map<string, Array<{ version: string | null; path: string }>> {
  const index = new Map<string, Array<{ version: string | null; path: string }>>();
  for (const ref of refs) {
    if (ref.source === "import") continue;
    const real = realPackage(ref.name, ref.version);
    if (!wanted(real.name)) continue;
    const key = real.name.toLowerCase();
    const list = index.get(key) ?? [];
    list.push({ version: real.version, path: ref.path });
    index.set(key, list);
  }
  return index;
}

export const forbiddenDependency: KindModule<ForbiddenDependencyInput, CompiledForbiddenDependency> = {
  kind: "forbidden-dependency",
  schema: forbiddenDependencySchema,
  reads: ["tree", "imports", "dependencies"],
  compile(input) {
    return {
      ...headerOf(input),
      packages: input.packages.map(compileEntry),
      paths: input.paths === undefined ? null : compileGlobs(input.paths, ["paths"]),
      sources: input.sources === undefined ? [...SOURCES] : [...new Set(input.sources)],
    };
  },
  evaluate(c, { snapshot }) {
    const inScope = (path: string, source: DependencySource): boolean =>
      c.sources.includes(source) && (c.paths === null || matchesAny(c.paths, path));
    let installs: ReturnType<typeof refsByPackage> | null = null;
    // Every import of a package asks the same question of the same lockfiles: answer it once.
    const proofs = new Map<string, string | null>();
    // Null when the entry does not apply; else evidence of the installed version ("" when the ref itself is the evidence).
    const judge = (entry: ForbiddenPackage, real: { name: string; version: string | null }): string | null => {
      if (entry.range === null) return "";
      if (real.version !== null) return versionInRange(versionFact(real.version), entry.range) === true ? "" : null;
      const name = real.name.toLowerCase();
      const memo = `${entry.source}\0${name}`;
      if (!proofs.has(memo)) {
        installs ??= refsByPackage(snapshot.dependencies, (n) => c.packages.some((e) => e.range !== null && e.matchesName(n)));
        const proof = installs.get(name)?.find((i) => versionInRange(versionFact(i.version), entry.range!) === true);
        proofs.set(memo, proof === undefined ? null : `${proof.version} in ${proof.path}`);
      }
      return proofs.get(memo)!;
    };

    const findings = new Map<string, RawFinding>();
    let matched = 0;
    for (const ref of snapshot.dependencies) {
      if (!inScope(ref.path, ref.source)) continue;
      matched++;
      const real = realPackage(ref.name, ref.version);
      for (const entry of c.packages) {
        if (!entry.matchesName(real.name)) continue;
        const installed = judge(entry, real);
        if (installed === null) continue;
        const version = ref.version ?? "";
        // One finding per package and version per file: a lockfile listing the same install at
        // several locations, or a file importing it twice, is one violation to fix.
        const key = `${ref.path}|${ref.source}|${real.name}|${version}`;
        if (findings.has(key)) break;
        const evidence: Record<string, string> = { package: real.name, version, source: ref.source, section: ref.section, entry: entry.source, range: entry.range ?? "" };
        if (real.name !== ref.name) evidence.alias = ref.name;
        if (installed !== "") evidence.installed = installed;
        findings.set(key, { code: "forbidden-dependency.present", path: ref.path, line: ref.line, column: ref.column, evidence, key });
        break;
      }
    }
    // A manifest never read (too large, not UTF-8) or not fully parsed may hide any package:
    // fail closed, once per file, instead of passing it unseen.
    for (const [path, reason] of snapshot.skipped) {
      const source = manifestSourceOf(path);
      if (source === null || !inScope(path, source)) continue;
      const key = `${path}|unread`;
      findings.set(key, { code: "forbidden-dependency.unread", path, line: 1, column: 1, evidence: { source, reason }, key });
    }
    for (const problem of snapshot.problems) {
      const source = manifestSourceOf(problem.path);
      const key = `${problem.path}|unparsable`;
      if (source === null || !inScope(problem.path, source) || findings.has(key)) continue;
      findings.set(key, { code: "forbidden-dependency.unparsable", path: problem.path, line: problem.line, column: problem.column, evidence: { source, reason: problem.reason }, key });
    }
    return { findings: [...findings.values()], coverage: { unit: "dependencies", matched } };
  },
};
