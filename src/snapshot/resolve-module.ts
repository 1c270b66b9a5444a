import type { ImportTarget, SnapshotProblem } from "../core/snapshot.js";
import { dirOf, joinPath } from "./repo-path.js";
import { createPackageIndex, entryTargets, importsTargets, sourceAlternatives, targetPath, type PackageIndex, type WorkspacePackage } from "./resolve-package.js";
import { createTsconfigIndex, type TsconfigIndex } from "./resolve-tsconfig.js";
import { builtinName, hasScheme, isRelative, splitPackageSpecifier } from "./specifier-kind.js";

/**
 * Resolves specifiers against the in-memory tree of one revision, TypeScript-style: tsconfig
 * `paths`/`baseUrl`, extension and index probing, `./a.js` → `a.ts`, workspace packages through
 * their manifests. A hand resolver rather than `ts.resolveModuleName`: it needs no compiler
 * load, never asks a host about node_modules, and knows to look for `src/` when a workspace
 * package points at an unbuilt `dist/`.
 *
 * Results are memoised per (directory, specifier) for one run only: adding `foo.ts` beside
 * `foo/index.ts` changes what `./foo` means, so nothing may be carried to the next revision.
 */
export interface ModuleResolver {
  resolve(fromPath: string, specifier: string): ImportTarget;
  /** The same, bound to one importing file: the graph resolves a file's specifiers in a row. */
  resolverFor(fromPath: string): (specifier: string) => ImportTarget;
  /** Config files that exist but could not be read, so their aliases silently stopped working. */
  problems(): SnapshotProblem[];
  /**
   * Paths whose text resolution consulted so far (manifests, tsconfigs and what they extend),
   * and whether some result depended on the order of the questions (an `extends` loop). Every
   * answer is a function of the file list and those texts alone: a revision with the same file
   * list that changes none of them answers the same, which is what lets a graph keep edges.
   */
  inputs(): { readonly paths: ReadonlySet<string>; readonly orderSensitive: boolean };
}

/** Extensionless probing order: TypeScript's, then the ESM/CJS-specific ones. */
const PROBE_ORDER = [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".d.mts", ".d.cts"] as const;
/** Longest first, so `a.d.ts` is stem `a` rather than `a.d`. */
const STEM_ORDER = [...PROBE_ORDER].sort((a, b) => b.length - a.length);
/** A `.js` specifier names the emitted file; the source TypeScript compiles from comes first. */
const SOURCE_FOR_OUTPUT: Readonly<Record<string, readonly string[] | undefined>> = {
  ".js": [".ts", ".tsx", ".d.ts"],
  ".jsx": [".tsx", ".d.ts"],
  ".mjs": [".mts", ".d.mts"],
  ".cjs": [".cts", ".d.cts"],
};
const DECLARATION = /\.d\.[cm]?ts$/;
/** Rank of `.d.ts` in PROBE_ORDER: a `.js` specifier accepts any stem ranked at or above it. */
const JS_SOURCE_RANK = PROBE_ORDER.indexOf(".d.ts");

const UNRESOLVED: ImportTarget = Object.freeze({ type: "unresolved" });

export function createModuleResolver(input: { files: readonly string[]; contents: ReadonlyMap<string, string> }): ModuleResolver {
  const fileSet = new Set(input.files);
  const stems = new Map<string, { path: string; rank: number }>();
  for (const path of input.files) {
    const ext = STEM_ORDER.find((e) => path.endsWith(e));
    if (ext === undefined) continue;
    const stem = path.slice(0, -ext.length);
    const rank = PROBE_ORDER.indexOf(ext);
    const prev = stems.get(stem);
    if (!prev || rank < prev.rank) stems.set(stem, { path, rank });
  }
  const packages: PackageIndex = createPackageIndex(input.files, input.contents);
  const tsconfigs: TsconfigIndex = createTsconfigIndex(fileSet, input.contents, (name) => packages.byName(name)?.dir ?? null);
  /** directory → specifier → target: what a specifier means depends only on where it is written. */
  const memo = new Map<string, Map<string, ImportTarget>>();

  const child = (dir: string, name: string): string => (dir === "" ? name : `${dir}/${name}`);
  // One target object per file: tens of thousands of edges point at a few thousand files.
  const fileTargets = new Map<string, ImportTarget>();
  const fileTarget = (path: string): ImportTarget => {
    let t = fileTargets.get(path);
    if (!t) fileTargets.set(path, (t = { type: "file", path }));
    return t;
  };

  const probeFile = (p: string): string | null => {
    const dot = p.lastIndexOf(".");
    if (dot > p.lastIndexOf("/")) {
      const ext = p.slice(dot);
      if (ext === ".js") {
        // One lookup instead of three: `.ts`, `.tsx`, `.d.ts` are the best-ranked stems.
        const best = stems.get(p.slice(0, dot));
        if (best !== undefined && best.rank <= JS_SOURCE_RANK) return best.path;
      } else {
        const swaps = SOURCE_FOR_OUTPUT[ext];
        if (swaps) {
          const stem = p.slice(0, dot);
          for (const e of swaps) if (fileSet.has(stem + e)) return stem + e;
        }
      }
      // An exact name only counts when it has an extension: `./foo` never means a file called `foo`.
      if (fileSet.has(p)) return p;
    }
    return stems.get(p)?.path ?? null;
  };

  const probe = (p: string, viaManifest: boolean): string | null => {
    const file = probeFile(p);
    if (file !== null) return file;
    if (viaManifest) {
      const pkg = packages.byDir(p);
      if (pkg) {
        const entry = resolveInPackage(pkg, "");
        if (entry !== null) return entry;
      }
    }
    return stems.get(child(p, "index"))?.path ?? null;
  };

  const resolveInPackage = (pkg: WorkspacePackage, subpath: string): string | null => {
    const targets = entryTargets(pkg, subpath);
    let declaration: string | null = null;
    for (const t of targets) {
      const path = targetPath(pkg, t);
      if (path === null) continue;
      for (const candidate of [path, ...sourceAlternatives(pkg, path)]) {
        const hit = probe(candidate, false);
        if (hit === null) continue;
        // A `types` entry may be the only one present; prefer any real source over it.
        if (!DECLARATION.test(hit)) return hit;
        declaration ??= hit;
      }
    }
    if (declaration !== null || targets.length > 0) return declaration;
    return stems.get(child(pkg.dir, "index"))?.path ?? stems.get(child(pkg.dir, "src/index"))?.path ?? null;
  };

  const resolveBare = (fromDir: string, specifier: string): ImportTarget => {
    const config = tsconfigs.forDir(fromDir);
    if (config) {
      for (const pattern of config.patterns) {
        let star = "";
        if (pattern.wildcard) {
          if (specifier.length < pattern.prefix.length + pattern.suffix.length || !specifier.startsWith(pattern.prefix) || !specifier.endsWith(pattern.suffix)) continue;
          star = specifier.slice(pattern.prefix.length, specifier.length - pattern.suffix.length);
        } else if (specifier !== pattern.prefix) continue;
        for (const t of pattern.targets) {
          const p = joinPath(config.pathsBase, t.replace("*", star));
          const hit = p === null ? null : probe(p, true);
          if (hit !== null) return fileTarget(hit);
        }
        // TypeScript consults only the best-matching pattern, then falls through to baseUrl and packages.
        break;
      }
      if (config.baseUrl !== null) {
        const p = joinPath(config.baseUrl, specifier);
        const hit = p === null ? null : probe(p, true);
        if (hit !== null) return fileTarget(hit);
      }
    }
    const builtin = builtinName(specifier);
    if (builtin !== null) return { type: "builtin", name: builtin };
    const { name, subpath } = splitPackageSpecifier(specifier);
    const pkg = packages.byName(name);
    if (pkg) {
      const hit = resolveInPackage(pkg, subpath);
      if (hit !== null) return fileTarget(hit);
    }
    return { type: "package", name };
  };

  const resolveSubpathImport = (fromDir: string, specifier: string): ImportTarget => {
    const pkg = packages.enclosing(fromDir);
    if (!pkg) return UNRESOLVED;
    for (const t of importsTargets(pkg, specifier)) {
      if (!t.startsWith("./")) {
        if (!t.startsWith("#") && !isRelative(t)) return resolveBare(fromDir, t);
        continue;
      }
      const path = targetPath(pkg, t);
      if (path === null) continue;
      for (const candidate of [path, ...sourceAlternatives(pkg, path)]) {
        const hit = probe(candidate, false);
        if (hit !== null) return fileTarget(hit);
      }
    }
    return UNRESOLVED;
  };

  const compute = (fromDir: string, raw: string): ImportTarget => {
    if (raw === "") return UNRESOLVED;
    if (raw.startsWith("node:")) return { type: "builtin", name: raw };
    // Bundler suffixes (`./icon.svg?raw`) are not part of the file name.
    const specifier = raw.includes("?") ? raw.slice(0, raw.indexOf("?")) : raw;
    if (isRelative(specifier) || specifier.startsWith("/")) {
      const p = specifier.startsWith("/") ? joinPath("", specifier) : joinPath(fromDir, specifier);
      const hit = p === null ? null : probe(p, true);
      return hit === null ? UNRESOLVED : fileTarget(hit);
    }
    if (specifier.startsWith("#")) return resolveSubpathImport(fromDir, specifier);
    if (hasScheme(specifier)) return { type: "package", name: specifier };
    return resolveBare(fromDir, specifier);
  };

  const resolverFor = (fromPath: string): ((specifier: string) => ImportTarget) => {
    const fromDir = dirOf(fromPath);
    let inDir = memo.get(fromDir);
    if (!inDir) memo.set(fromDir, (inDir = new Map()));
    const cache = inDir;
    return (specifier) => {
      let target = cache.get(specifier);
      if (target === undefined) cache.set(specifier, (target = compute(fromDir, specifier)));
      return target;
    };
  };

  return {
    resolve: (fromPath, specifier) => resolverFor(fromPath)(specifier),
    resolverFor,
    problems: () => tsconfigs.problems(),
    inputs: () => ({ paths: new Set([...manifestPaths(input.files), ...tsconfigs.loaded()]), orderSensitive: tsconfigs.orderSensitive() }),
  };
}

/** Every manifest the package index reads (a superset: it skips those under node_modules). */
function manifestPaths(files: readonly string[]): string[] {
  return files.filter((p) => p === "package.json" || p.endsWith("/package.json"));
}
