import type { SnapshotProblem } from "../core/snapshot.js";
import { parseJsonc } from "./parse-jsonc.js";
import { dirOf, joinPath, selfAndAncestors } from "./repo-path.js";
import { splitPackageSpecifier } from "./specifier-kind.js";

/**
 * The part of tsconfig/jsconfig that changes how specifiers resolve: `paths` and `baseUrl`,
 * through `extends` chains. Read from the in-memory tree; each config is parsed once per run.
 */
export interface PathsConfig {
  readonly baseUrl: string | null;
  /** Where `paths` substitutions are rooted: `baseUrl` when set, else the directory of the config that declared `paths`. */
  readonly pathsBase: string;
  /** Exact keys first, then wildcard keys by longest prefix: TypeScript's precedence. */
  readonly patterns: readonly PathPattern[];
}

export interface PathPattern {
  readonly prefix: string;
  readonly suffix: string;
  readonly wildcard: boolean;
  readonly targets: readonly string[];
}

export interface TsconfigIndex {
  /** Settings of the nearest tsconfig.json (else jsconfig.json) at or above `dir`; null when none. */
  forDir(dir: string): PathsConfig | null;
  /** Configs that exist but could not be parsed: aliases they declare silently stop resolving otherwise. */
  problems(): SnapshotProblem[];
  /** Every path whose text was consulted so far: a later revision that changes none of them resolves the same. */
  loaded(): ReadonlySet<string>;
  /**
   * An `extends` loop or a chain past the depth cap was met: what such a config yields depends
   * on which directory asked first, so results cannot be carried to another run.
   */
  orderSensitive(): boolean;
}

interface Effective {
  baseUrl: string | null;
  paths: Readonly<Record<string, readonly string[]>> | null;
  pathsDir: string;
}

const MAX_EXTENDS_DEPTH = 16;
const NONE: Effective = { baseUrl: null, paths: null, pathsDir: "" };

export function createTsconfigIndex(files: ReadonlySet<string>, contents: ReadonlyMap<string, string>, packageDir: (name: string) => string | null): TsconfigIndex {
  const raw = new Map<string, Record<string, unknown> | null>();
  const problems: SnapshotProblem[] = [];
  const effective = new Map<string, Effective>();
  const byDir = new Map<string, PathsConfig | null>();
  let sensitive = false;

  const load = (path: string): Record<string, unknown> | null => {
    if (raw.has(path)) return raw.get(path)!;
    const text = contents.get(path);
    let value: Record<string, unknown> | null = null;
    if (text !== undefined) {
      const parsed = parseJsonc(text);
      if (parsed.ok && isRecord(parsed.value)) value = parsed.value;
      else problems.push({ path, line: parsed.ok ? 1 : parsed.line, column: 1, reason: parsed.ok ? "tsconfig is not a JSON object" : `invalid tsconfig JSON: ${parsed.reason}` });
    }
    raw.set(path, value);
    return value;
  };

  const extendsPath = (fromDir: string, spec: string): string | null => {
    const candidates: string[] = [];
    if (spec.startsWith("./") || spec.startsWith("../")) {
      const p = joinPath(fromDir, spec);
      if (p !== null) candidates.push(p, `${p}.json`, `${p}/tsconfig.json`);
    } else if (!spec.startsWith("/")) {
      const { name, subpath } = splitPackageSpecifier(spec);
      const dir = packageDir(name);
      if (dir !== null) {
        const base = subpath === "" ? dir : `${dir === "" ? "" : `${dir}/`}${subpath}`;
        candidates.push(...(subpath === "" ? [`${dir === "" ? "" : `${dir}/`}tsconfig.json`] : [base, `${base}.json`, `${base}/tsconfig.json`]));
      }
    }
    return candidates.find((c) => files.has(c)) ?? null;
  };

  const resolveEffective = (path: string, depth: number, seen: Set<string>): Effective => {
    const cached = effective.get(path);
    if (cached) return cached;
    const config = load(path);
    if (config === null) return NONE;
    if (depth > MAX_EXTENDS_DEPTH) {
      sensitive = true;
      return NONE;
    }
    seen.add(path);
    const dir = dirOf(path);
    let result: Effective = NONE;
    const ext = config.extends;
    // Later entries of an `extends` array override earlier ones, as in TypeScript 5+.
    for (const spec of typeof ext === "string" ? [ext] : Array.isArray(ext) ? ext : []) {
      if (typeof spec !== "string") continue;
      const target = extendsPath(dir, spec);
      if (target === null) continue;
      if (seen.has(target)) {
        sensitive = true;
        continue;
      }
      const inherited = resolveEffective(target, depth + 1, seen);
      result = { baseUrl: inherited.baseUrl ?? result.baseUrl, paths: inherited.paths ?? result.paths, pathsDir: inherited.paths ? inherited.pathsDir : result.pathsDir };
    }
    const options = isRecord(config.compilerOptions) ? config.compilerOptions : {};
    if (typeof options.baseUrl === "string") result = { ...result, baseUrl: joinPath(dir, options.baseUrl) };
    const paths = validPaths(options.paths);
    if (paths) result = { ...result, paths, pathsDir: dir };
    seen.delete(path);
    effective.set(path, result);
    return result;
  };

  const nearestConfig = (dir: string): string | null => {
    const prefix = dir === "" ? "" : `${dir}/`;
    if (files.has(`${prefix}tsconfig.json`)) return `${prefix}tsconfig.json`;
    if (files.has(`${prefix}jsconfig.json`)) return `${prefix}jsconfig.json`;
    return null;
  };

  /**
   * A solution-style tsconfig.json (`"files": [], "references": [...]`, as Vite and Nx generate)
   * declares no aliases itself; the app config it references does, so borrow the first one's.
   */
  const withReferences = (path: string): Effective => {
    const own = resolveEffective(path, 0, new Set());
    const refs = load(path)?.references;
    if (own.paths !== null || own.baseUrl !== null || !Array.isArray(refs)) return own;
    for (const ref of refs) {
      if (!isRecord(ref) || typeof ref.path !== "string") continue;
      const target = extendsPath(dirOf(path), ref.path.startsWith(".") ? ref.path : `./${ref.path}`);
      if (target === null || target === path) continue;
      const e = resolveEffective(target, 0, new Set());
      if (e.paths !== null || e.baseUrl !== null) return e;
    }
    return own;
  };

  return {
    forDir(dir) {
      const visited: string[] = [];
      let found: PathsConfig | null = null;
      for (const d of selfAndAncestors(dir)) {
        const known = byDir.get(d);
        if (known !== undefined) {
          found = known;
          break;
        }
        visited.push(d);
        const config = nearestConfig(d);
        if (config !== null) {
          found = toPathsConfig(withReferences(config));
          break;
        }
      }
      for (const d of visited) byDir.set(d, found);
      return found;
    },
    problems: () => [...problems],
    loaded: () => new Set(raw.keys()),
    orderSensitive: () => sensitive,
  };
}

function toPathsConfig(e: Effective): PathsConfig | null {
  if (e.baseUrl === null && e.paths === null) return null;
  const patterns: PathPattern[] = [];
  for (const [key, targets] of Object.entries(e.paths ?? {})) {
    const star = key.indexOf("*");
    patterns.push(star === -1 ? { prefix: key, suffix: "", wildcard: false, targets } : { prefix: key.slice(0, star), suffix: key.slice(star + 1), wildcard: true, targets });
  }
  patterns.sort((a, b) => Number(a.wildcard) - Number(b.wildcard) || b.prefix.length - a.prefix.length);
  return { baseUrl: e.baseUrl, pathsBase: e.baseUrl ?? e.pathsDir, patterns };
}

function validPaths(v: unknown): Record<string, string[]> | null {
  if (!isRecord(v)) return null;
  const out: Record<string, string[]> = Object.create(null);
  for (const [key, targets] of Object.entries(v)) {
    if (Array.isArray(targets)) out[key] = targets.filter((t): t is string => typeof t === "string");
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
