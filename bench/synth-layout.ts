import { posix } from "node:path";
import type { Rng } from "./prng.js";

/**
 * The shape of a synthetic repository: which directories exist, which modules live in them
 * and how each module is reachable (relative path, tsconfig alias, barrel). Rendering text
 * and choosing imports live elsewhere; this file only decides *where things are*.
 */

export type Layer = "core" | "domain" | "adapters" | "ui" | "pkg";

export interface SynthModule {
  /** Repository-relative path, e.g. `src/core/auth/token3.ts`. */
  readonly path: string;
  readonly dir: SynthDir;
  /** Unique exported value name; every module exports `<symbol>`, `<symbol>Fn` and `<Symbol>Shape`. */
  readonly symbol: string;
  readonly tsx: boolean;
  /** Position in its directory; imports mostly point to lower positions (see synth-imports). */
  readonly index: number;
}

export interface SynthDir {
  readonly path: string;
  readonly layer: Layer;
  /** Position within its layer; imports mostly point to lower positions. */
  readonly index: number;
  /** Bare specifier that tsconfig `paths` maps onto this directory (resolves to its barrel). */
  readonly alias: string;
  /** Whether modules inside may be imported by alias (`@core/auth/token3`); packages expose only the barrel. */
  readonly deepAlias: boolean;
  readonly modules: SynthModule[];
  /** `index.ts` re-exporting every module with `export * from`. */
  readonly barrel: string;
}

export interface Layout {
  readonly dirs: readonly SynthDir[];
  readonly modules: readonly SynthModule[];
  readonly packages: readonly string[];
  readonly byLayer: Readonly<Record<Layer, readonly SynthDir[]>>;
}

/** Share of source files per layer: roughly a mid-size product codebase. */
const LAYER_SHARE: Readonly<Record<Layer, number>> = { core: 0.15, domain: 0.25, adapters: 0.2, ui: 0.25, pkg: 0.15 };
const ADAPTER_KINDS = ["http", "db", "queue", "storage", "email"] as const;
const AREAS = ["auth", "billing", "orders", "catalog", "users", "search", "events", "money", "clock", "audit",
  "inventory", "shipping", "reports", "settings", "alerts", "teams", "files", "notes", "tags", "pricing"] as const;
const WORDS = ["token", "policy", "service", "mapper", "store", "client", "view", "model", "helper", "rules",
  "query", "command", "handler", "schema", "codec", "cache", "form", "table", "panel", "guard"] as const;
const PACKAGES = ["logger", "config", "utils", "result", "retry", "ids", "metrics", "i18n"] as const;

export function planLayout(totalFiles: number, rng: Rng): Layout {
  const dirs: SynthDir[] = [];
  const byLayer: Record<Layer, SynthDir[]> = { core: [], domain: [], adapters: [], ui: [], pkg: [] };
  const packages: string[] = [];
  for (const layer of Object.keys(LAYER_SHARE) as Layer[]) {
    let budget = Math.max(4, Math.round(totalFiles * LAYER_SHARE[layer]));
    for (let i = 0; budget > 0; i++) {
      // Every directory costs one barrel on top of its modules.
      const size = Math.min(budget - 1, rng.int(6, 22));
      if (size < 1) break;
      const dir = makeDir(layer, i);
      if (layer === "pkg") packages.push(dir.path.split("/")[1] as string);
      for (let m = 0; m < size; m++) {
        const word = `${WORDS[(i + m) % WORDS.length]}${m}`;
        const tsx = layer === "ui" && rng.chance(0.7);
        const path = `${dir.path}/${word}.${tsx ? "tsx" : "ts"}`;
        dir.modules.push({ path, dir, symbol: symbolFor(path), tsx, index: m });
      }
      dirs.push(dir);
      byLayer[layer].push(dir);
      budget -= size + 1;
    }
  }
  return { dirs, modules: dirs.flatMap((d) => d.modules), packages, byLayer };
}

function makeDir(layer: Layer, i: number): SynthDir {
  const area = `${AREAS[i % AREAS.length]}${i < AREAS.length ? "" : Math.floor(i / AREAS.length)}`;
  const base = { layer, index: i, modules: [] as SynthModule[] };
  switch (layer) {
    case "adapters": {
      const kind = ADAPTER_KINDS[i % ADAPTER_KINDS.length] as string;
      const path = `src/adapters/${kind}/${area}`;
      return { ...base, path, alias: `@adapters/${kind}/${area}`, deepAlias: true, barrel: `${path}/index.ts` };
    }
    case "pkg": {
      const name = `${PACKAGES[i % PACKAGES.length]}${i < PACKAGES.length ? "" : Math.floor(i / PACKAGES.length)}`;
      const path = `packages/${name}/src`;
      return { ...base, path, alias: `@pkg/${name}`, deepAlias: false, barrel: `${path}/index.ts` };
    }
    default: {
      const path = `src/${layer}/${area}`;
      return { ...base, path, alias: `@${layer}/${area}`, deepAlias: true, barrel: `${path}/index.ts` };
    }
  }
}

/** `src/core/auth/token3.ts` → `coreAuthToken3`: unique per path, so barrels never clash. */
function symbolFor(path: string): string {
  const parts = path.replace(/\.(tsx?)$/, "").split(/[/_-]/).filter((p) => p !== "src" && p !== "packages" && p !== "");
  return parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join("");
}

/** A specifier reaching `target` from `fromPath` by a relative path, in one of the styles real code uses. */
export function relativeSpecifier(fromPath: string, targetPath: string, style: "js" | "bare"): string {
  let rel = posix.relative(posix.dirname(fromPath), targetPath).replace(/\.tsx?$/, "");
  if (!rel.startsWith(".")) rel = `./${rel}`;
  return style === "js" ? `${rel}.js` : rel;
}

/** A relative specifier for a directory (resolved through its `index.ts`). */
export function relativeDirSpecifier(fromPath: string, dirPath: string): string {
  const rel = posix.relative(posix.dirname(fromPath), dirPath);
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/** The tsconfig `paths` that make every `alias` above resolve. */
export function tsconfigPaths(): Record<string, string[]> {
  return {
    "@core/*": ["src/core/*"],
    "@domain/*": ["src/domain/*"],
    "@adapters/*": ["src/adapters/*"],
    "@ui/*": ["src/ui/*"],
    "@pkg/*": ["packages/*/src"],
  };
}
