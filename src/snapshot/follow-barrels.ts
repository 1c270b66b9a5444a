import type { ImportTarget } from "../core/snapshot.js";
import { NAMESPACE, type ModuleRecord, type RecordedReexport } from "./module-record.js";

/**
 * Looks behind barrels (`index.ts` files that re-export) for the module that actually
 * declares what an import takes, so routing an import through an index file cannot evade a
 * boundary.
 *
 * - A named import `{x}` (or `default`) follows `export {x} from`, `export {y as x} from`,
 *   `import {x} from …; export {x}` and `export * from` (which never forwards `default`, as
 *   in ECMAScript), through any number of barrels, to the first module that declares `x`.
 *   When no file behind an `export *` declares it but a package is star-exported, the name is
 *   taken to come from that package.
 * - A namespace (`import * as`, `export *`, `require`, `import()`, `import x = require`)
 *   exposes every re-export of the barrel, so it reaches every declaring module behind it.
 * - A module that only re-exports is a waypoint, never itself a declaring target.
 * Cycle-safe (each module/name pair is entered once per query) and capped in depth and fan-out.
 */
export interface DerivedTarget {
  readonly target: ImportTarget;
  /** Barrels passed, starting with the module the importer named. */
  readonly via: readonly string[];
  readonly typeOnly: boolean;
  /** Identity of (target, via), for callers merging several bindings' results. */
  readonly key: string;
}

export interface BarrelFollower {
  /** Declaring modules behind `name` (`*` for the whole namespace) of `path`; empty when `path` declares it itself. */
  follow(path: string, name: string): readonly DerivedTarget[];
}

const MAX_DEPTH = 16;
const MAX_RESULTS = 500;
const NONE: readonly DerivedTarget[] = Object.freeze([]);

function targetKey(t: ImportTarget): string {
  return t.type === "file" ? `file:${t.path}` : t.type === "unresolved" ? "unresolved" : `${t.type}:${t.name}`;
}

/** Where a module gets one of its export names from. */
type Provider = { readonly from: "local" } | { readonly from: "named"; readonly reexport: RecordedReexport } | { readonly from: "star"; readonly reexport: RecordedReexport; readonly target: ImportTarget };

const LOCAL: Provider = Object.freeze({ from: "local" });

export function createBarrelFollower(records: ReadonlyMap<string, ModuleRecord>, resolve: (from: string, specifier: string) => ImportTarget): BarrelFollower {
  /**
   * Export name → provider, per module, including names arriving through `export *` chains.
   * Built once per module per run, so a lookup through a barrel of hundreds of modules is one
   * Map access instead of a walk over every star source.
   */
  const tables = new Map<string, ReadonlyMap<string, Provider>>();
  const building = new Set<string>();
  const exportTable = (path: string): ReadonlyMap<string, Provider> => {
    const known = tables.get(path);
    if (known) return known;
    const table = new Map<string, Provider>();
    const rec = records.get(path);
    if (!rec || building.has(path)) return table;
    building.add(path);
    for (const name of rec.localExports) table.set(name, LOCAL);
    for (const r of rec.reexports) if (r.exportName !== NAMESPACE && !table.has(r.exportName)) table.set(r.exportName, { from: "named", reexport: r });
    for (const r of rec.reexports) {
      if (r.exportName !== NAMESPACE) continue;
      const target = resolve(path, r.specifier);
      if (target.type !== "file") continue;
      const provider: Provider = { from: "star", reexport: r, target };
      // ECMAScript: `export *` never forwards `default`, and the first source of a name wins here.
      for (const name of exportTable(target.path).keys()) if (name !== "default" && !table.has(name)) table.set(name, provider);
    }
    building.delete(path);
    tables.set(path, table);
    return table;
  };
  const isPureBarrel = (path: string): boolean => {
    const rec = records.get(path);
    return rec !== undefined && rec.localExports.length === 0 && rec.reexports.length > 0;
  };

  const memo = new Map<string, Map<string, readonly DerivedTarget[]>>();

  // One walk at a time: the state lives here rather than in fresh closures per query,
  // because a large repository runs tens of thousands of small queries.
  let out = new Map<string, DerivedTarget>();
  let entered = new Set<string>();

  const emit = (target: ImportTarget, via: readonly string[], typeOnly: boolean): void => {
    if (out.size >= MAX_RESULTS) return;
    const key = `${targetKey(target)}|${via.join(">")}`;
    const prev = out.get(key);
    if (!prev || (prev.typeOnly && !typeOnly)) out.set(key, { target, via, typeOnly, key });
  };
  const enter = (path: string, name: string, via: readonly string[]): boolean => {
    const key = `${path}\0${name}`;
    if (via.length > MAX_DEPTH || entered.has(key) || out.size >= MAX_RESULTS) return false;
    entered.add(key);
    return true;
  };

  /** Reached `target` asking for `name`, having passed `via`. */
  const arrive = (target: ImportTarget, name: string, via: readonly string[], typeOnly: boolean): void => {
    if (target.type !== "file") return emit(target, via, typeOnly);
    if (name === NAMESPACE) {
      if (!isPureBarrel(target.path)) emit(target, via, typeOnly);
      walkNamespace(target.path, via, typeOnly);
      return;
    }
    // Emit where the name is declared, or where the trail goes cold (a CommonJS module, a
    // name nobody exports); a loop of re-exports declares nothing, so it emits nothing.
    if (walkName(target.path, name, via, typeOnly) === "here") emit(target, via, typeOnly);
  };

  /**
   * Follows `name` out of `path`: "passed" when it led elsewhere, "here" when `path` declares
   * it (or nothing says otherwise), "loop" when the trail re-enters itself or runs too deep.
   */
  const walkName = (path: string, name: string, via: readonly string[], typeOnly: boolean): "passed" | "here" | "loop" => {
    const rec = records.get(path);
    if (!rec) return "here";
    const provider = exportTable(path).get(name);
    if (provider?.from === "local") return "here";
    if (!enter(path, name, via)) return "loop";
    const next = [...via, path];
    if (provider?.from === "named") {
      arrive(resolve(path, provider.reexport.specifier), provider.reexport.importName, next, typeOnly || provider.reexport.typeOnly);
      return "passed";
    }
    if (provider?.from === "star") {
      arrive(provider.target, name, next, typeOnly || provider.reexport.typeOnly);
      return "passed";
    }
    if (name === "default") return "here";
    // No file behind an `export *` has it: it must come from a star-exported package.
    let viaPackage = false;
    for (const r of rec.reexports) {
      if (r.exportName !== NAMESPACE) continue;
      const t = resolve(path, r.specifier);
      if (t.type === "file") continue;
      emit(t, next, typeOnly || r.typeOnly);
      viaPackage = true;
    }
    return viaPackage ? "passed" : "here";
  };

  const walkNamespace = (path: string, via: readonly string[], typeOnly: boolean): void => {
    const rec = records.get(path);
    if (!rec || !enter(path, NAMESPACE, via)) return;
    const next = [...via, path];
    for (const r of rec.reexports) {
      const t = resolve(path, r.specifier);
      const to = typeOnly || r.typeOnly;
      if (r.exportName === NAMESPACE) {
        if (t.type !== "file") emit(t, next, to);
        else {
          if (!isPureBarrel(t.path)) emit(t, next, to);
          walkNamespace(t.path, next, to);
        }
      } else arrive(t, r.importName, next, to);
    }
  };

  const query = (start: string, startName: string): readonly DerivedTarget[] => {
    out = new Map();
    entered = new Set();
    if (startName === NAMESPACE) walkNamespace(start, [], false);
    // The importer's own edge already points at `start`; only what lies behind it is new.
    else walkName(start, startName, [], false);
    return out.size === 0 ? NONE : [...out.values()];
  };

  return {
    follow(path, name) {
      // Most imports land on a module that re-exports nothing: no barrel, nothing to follow.
      if (!records.get(path)?.reexports.length) return NONE;
      let byName = memo.get(path);
      if (!byName) memo.set(path, (byName = new Map()));
      let hit = byName.get(name);
      if (!hit) byName.set(name, (hit = query(path, name)));
      return hit;
    },
  };
}
