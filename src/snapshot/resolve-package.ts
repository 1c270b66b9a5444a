import { parseJsonc } from "./parse-jsonc.js";
import { dirOf, isUnderNodeModules, joinPath, selfAndAncestors } from "./repo-path.js";

/**
 * package.json files inside the repository: workspace packages reachable by name, and the
 * `exports` / `imports` / `main` maps that say which file a specifier lands on. Everything is
 * computed from the in-memory tree; nothing under node_modules counts as a workspace package.
 */
export interface WorkspacePackage {
  readonly dir: string;
  readonly name: string | null;
  readonly manifest: Readonly<Record<string, unknown>>;
}

export interface PackageIndex {
  byName(name: string): WorkspacePackage | undefined;
  byDir(dir: string): WorkspacePackage | undefined;
  /** The package whose directory contains `dir` (its `imports` map governs `#…` specifiers). */
  enclosing(dir: string): WorkspacePackage | undefined;
}

/**
 * Conditions a repository's own code may be loaded under. Order does not matter: as in Node,
 * the object's key order decides, and every matching branch is offered in that order so a
 * branch pointing at an absent build output can give way to the next.
 */
const CONDITIONS: ReadonlySet<string> = new Set(["source", "development", "types", "typings", "import", "module", "require", "node", "default"]);

export function createPackageIndex(files: readonly string[], contents: ReadonlyMap<string, string>): PackageIndex {
  const named = new Map<string, WorkspacePackage>();
  const dirs = new Map<string, WorkspacePackage>();
  for (const path of files) {
    if (!(path === "package.json" || path.endsWith("/package.json")) || isUnderNodeModules(path)) continue;
    const text = contents.get(path);
    if (text === undefined) continue;
    const parsed = parseJsonc(text);
    if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) continue;
    const manifest = parsed.value as Record<string, unknown>;
    const name = typeof manifest.name === "string" && manifest.name !== "" ? manifest.name : null;
    const pkg: WorkspacePackage = { dir: dirOf(path), name, manifest };
    dirs.set(pkg.dir, pkg);
    if (name === null) continue;
    const prev = named.get(name);
    // Two manifests with one name (fixtures, templates): the shallowest is the real package.
    if (!prev || depth(pkg.dir) < depth(prev.dir) || (depth(pkg.dir) === depth(prev.dir) && pkg.dir < prev.dir)) named.set(name, pkg);
  }
  const enclosingCache = new Map<string, WorkspacePackage | null>();
  return {
    byName: (name) => named.get(name),
    byDir: (dir) => dirs.get(dir),
    enclosing(dir) {
      const hit = enclosingCache.get(dir);
      if (hit !== undefined) return hit ?? undefined;
      let found: WorkspacePackage | null = null;
      for (const d of selfAndAncestors(dir)) {
        const pkg = dirs.get(d);
        if (pkg) {
          found = pkg;
          break;
        }
      }
      enclosingCache.set(dir, found);
      return found ?? undefined;
    },
  };
}

const depth = (dir: string): number => (dir === "" ? 0 : dir.split("/").length);

/**
 * Targets (as written in the manifest, relative to the package) for `subpath` ("" for the
 * package root), most preferred first. An empty list means the manifest does not say.
 */
export function entryTargets(pkg: WorkspacePackage, subpath: string): string[] {
  const m = pkg.manifest;
  if (m.exports !== undefined && m.exports !== null) {
    const value = subpathValue(m.exports, subpath === "" ? "." : `./${subpath}`);
    if (value !== undefined) return conditionTargets(value.target, value.star);
  }
  if (subpath !== "") return [`./${subpath}`];
  // Unlike `exports`, these fields are often written without `./` (`"main": "lib/index.js"`).
  return ["module", "main", "types", "typings"]
    .map((f) => m[f])
    .filter((v): v is string => typeof v === "string" && v !== "")
    .map((v) => (v.startsWith("./") || v.startsWith("../") || v.startsWith("/") ? v : `./${v}`));
}

/** Targets of a `#name` specifier in the package's `imports` map: relative paths or bare specifiers. */
export function importsTargets(pkg: WorkspacePackage, specifier: string): string[] {
  const imports = pkg.manifest.imports;
  if (typeof imports !== "object" || imports === null || Array.isArray(imports)) return [];
  const value = matchKey(imports as Record<string, unknown>, specifier);
  return value === undefined ? [] : conditionTargets(value.target, value.star);
}

/** A package-relative target as a repository path; null for a bare specifier or one escaping the package. */
export function targetPath(pkg: WorkspacePackage, target: string): string | null {
  if (!target.startsWith("./")) return null;
  const p = joinPath(pkg.dir, target);
  return p !== null && (pkg.dir === "" || p === pkg.dir || p.startsWith(`${pkg.dir}/`)) ? p : null;
}

const BUILD_DIRS: ReadonlySet<string> = new Set(["dist", "lib", "build", "out", "esm", "cjs", "es", "mjs", "umd", "types", "typings"]);
const OUTPUT_EXT = /(\.d)?\.(js|mjs|cjs|jsx|ts|mts|cts)$/;

/**
 * Where the source of an absent build output probably lives: `dist/index.js` → `src/index`
 * and `index` (extensions left to the prober). A monorepo commits sources, not `dist/`, and
 * the boundary is about the source file.
 */
export function sourceAlternatives(pkg: WorkspacePackage, path: string): string[] {
  const prefix = pkg.dir === "" ? "" : `${pkg.dir}/`;
  if (!path.startsWith(prefix)) return [];
  const segs = path.slice(prefix.length).replace(OUTPUT_EXT, "").split("/");
  let i = 0;
  while (i < segs.length - 1 && BUILD_DIRS.has(segs[i]!)) i++;
  if (i === 0) return [];
  const rest = segs.slice(i).join("/");
  return [`${prefix}src/${rest}`, `${prefix}${rest}`];
}

function subpathValue(exports: unknown, key: string): { target: unknown; star: string | null } | undefined {
  if (typeof exports === "string" || Array.isArray(exports)) return key === "." ? { target: exports, star: null } : undefined;
  if (typeof exports !== "object" || exports === null) return undefined;
  const keys = Object.keys(exports);
  // Without a `.`-key the object is a condition map for the root export.
  if (!keys.some((k) => k.startsWith("."))) return key === "." ? { target: exports, star: null } : undefined;
  return matchKey(exports as Record<string, unknown>, key);
}

/** Exact key, else the `*` pattern with the longest prefix (Node's PATTERN_KEY_COMPARE). */
function matchKey(map: Record<string, unknown>, key: string): { target: unknown; star: string | null } | undefined {
  if (Object.hasOwn(map, key) && !key.includes("*")) return { target: map[key], star: null };
  let best: { target: unknown; star: string | null; prefix: number } | undefined;
  for (const [k, target] of Object.entries(map)) {
    const i = k.indexOf("*");
    if (i === -1 || k.indexOf("*", i + 1) !== -1) continue;
    const pre = k.slice(0, i);
    const suf = k.slice(i + 1);
    if (key.length < pre.length + suf.length || !key.startsWith(pre) || !key.endsWith(suf)) continue;
    if (!best || pre.length > best.prefix) best = { target, star: key.slice(pre.length, key.length - suf.length), prefix: pre.length };
  }
  return best;
}

function conditionTargets(value: unknown, star: string | null, depthLeft = 8): string[] {
  if (depthLeft === 0) return [];
  if (typeof value === "string") return [star === null ? value : value.split("*").join(star)];
  if (Array.isArray(value)) return value.flatMap((v) => conditionTargets(v, star, depthLeft - 1));
  if (typeof value !== "object" || value === null) return [];
  const out: string[] = [];
  for (const [cond, v] of Object.entries(value)) if (CONDITIONS.has(cond)) out.push(...conditionTargets(v, star, depthLeft - 1));
  return out;
}
