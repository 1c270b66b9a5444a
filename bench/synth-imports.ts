import type { Rng } from "./prng.js";
import { relativeDirSpecifier, relativeSpecifier, type Layer, type Layout, type SynthModule } from "./synth-layout.js";

/**
 * Which imports each synthetic module makes. Fan-out, locality and specifier styles are
 * chosen to look like real TypeScript code, so extractors and resolvers do realistic work:
 * `./x.js` and extensionless relatives, tsconfig aliases, barrels, `import type`,
 * `require()`, dynamic `import()`, npm packages and node builtins.
 */

export type ImportForm = "named" | "type" | "namespace" | "require" | "dynamic";

export interface PlannedImport {
  readonly specifier: string;
  readonly form: ImportForm;
  /** The name taken from the target (a value for most forms, a type for `type`). */
  readonly symbol: string;
}

/** Which layers a layer may depend on; the core rule is the one the benchmark enforces. */
const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  core: ["core"],
  domain: ["core", "domain"],
  adapters: ["core", "domain", "adapters", "pkg"],
  ui: ["core", "domain", "ui", "pkg"],
  pkg: ["pkg"],
};

const NPM: Readonly<Record<Layer, readonly PlannedImport[]>> = {
  core: [{ specifier: "zod", form: "named", symbol: "z" }],
  domain: [{ specifier: "zod", form: "named", symbol: "z" }, { specifier: "lodash", form: "namespace", symbol: "_" }],
  adapters: [
    { specifier: "node:path", form: "namespace", symbol: "path" },
    { specifier: "node:fs/promises", form: "named", symbol: "readFile" },
    { specifier: "zod", form: "named", symbol: "z" },
    { specifier: "lodash", form: "namespace", symbol: "_" },
  ],
  ui: [{ specifier: "lodash", form: "namespace", symbol: "_" }, { specifier: "clsx", form: "named", symbol: "clsx" }],
  pkg: [{ specifier: "lodash", form: "namespace", symbol: "_" }, { specifier: "node:util", form: "named", symbol: "inspect" }],
};

/** Imports of one module; a `leaf` imports npm packages only (see PlantedViolations). */
export function planImports(mod: SynthModule, layout: Layout, rng: Rng, leaf = false): PlannedImport[] {
  const out = new Map<string, PlannedImport>();
  if (mod.tsx) out.set("react", { specifier: "react", form: "named", symbol: "useState" });
  const npmCount = rng.int(0, 2);
  for (let i = 0; i < npmCount; i++) {
    const npm = rng.pick(NPM[mod.dir.layer]);
    out.set(npm.specifier, npm);
  }
  const wanted = leaf ? 0 : rng.int(3, 12);
  for (let attempt = 0; out.size < wanted && attempt < wanted * 4; attempt++) {
    const target = pickTarget(mod, layout, rng);
    if (!target || target.path === mod.path) continue;
    // Keyed by what the specifier resolves to: real files import a module once, not as both `./a` and `./a.js`.
    const [specifier, resolvesTo] = specifierFor(mod, target, rng);
    if (!out.has(resolvesTo)) out.set(resolvesTo, { specifier, form: pickForm(rng), symbol: target.symbol });
  }
  return [...out.values()];
}

/**
 * Real code is mostly layered: a module imports things "below" it. Targets come from lower
 * positions (earlier module in the folder, earlier folder in the layer, a lower layer); only
 * SIBLING_CYCLE of same-folder imports point anywhere in the folder, giving the small local
 * cycles real repositories have. A random graph would be one giant cycle and would measure
 * cycle analysis rather than import extraction.
 */
const SIBLING_CYCLE = 0.02;

function pickTarget(mod: SynthModule, layout: Layout, rng: Rng): SynthModule | undefined {
  // Half of real imports stay in the same folder; the rest cross to an allowed layer.
  if (rng.chance(0.5)) {
    const pool = rng.chance(SIBLING_CYCLE) ? mod.dir.modules : mod.dir.modules.slice(0, mod.index);
    return pool.length > 0 ? rng.pick(pool) : undefined;
  }
  const layer = rng.chance(0.5) ? mod.dir.layer : rng.pick(ALLOWED[mod.dir.layer]);
  const dirs = layer === mod.dir.layer ? layout.byLayer[layer].slice(0, mod.dir.index) : layout.byLayer[layer];
  if (dirs.length === 0) return undefined;
  return rng.pick(rng.pick(dirs).modules);
}

function pickForm(rng: Rng): ImportForm {
  const r = rng.next();
  if (r < 0.12) return "type";
  if (r < 0.16) return "require";
  if (r < 0.21) return "dynamic";
  if (r < 0.26) return "namespace";
  return "named";
}

/** A specifier for `target` and the file it resolves to (the module, or its directory's barrel). */
function specifierFor(from: SynthModule, target: SynthModule, rng: Rng): [string, string] {
  const jsStyle = rng.chance(0.5) ? "js" : "bare";
  const toModule = (s: string): [string, string] => [s, target.path];
  const toBarrel = (s: string): [string, string] => [s, target.dir.barrel];
  if (target.dir === from.dir) return toModule(relativeSpecifier(from.path, target.path, jsStyle));
  // Packages are consumed through their public barrel only, as with a real workspace package.
  if (!target.dir.deepAlias) return toBarrel(target.dir.alias);
  const r = rng.next();
  const base = baseName(target);
  if (r < 0.3) return toModule(`${target.dir.alias}/${base}`);
  if (r < 0.4) return toModule(`${target.dir.alias}/${base}.js`);
  if (r < 0.75) return toModule(relativeSpecifier(from.path, target.path, jsStyle));
  if (r < 0.9) return toBarrel(target.dir.alias);
  const rel = relativeDirSpecifier(from.path, target.dir.path);
  return toBarrel(rng.chance(0.5) ? rel : `${rel}/index.js`);
}

export interface PlantedViolations {
  /** Extra imports per source path. */
  readonly extra: ReadonlyMap<string, readonly PlannedImport[]>;
  /**
   * Targets of the planted imports. They are generated as leaves (npm imports only):
   * adapters and UI import the core, so a violating edge into a non-leaf would close a
   * cycle through most of the graph and turn the benchmark into a cycle-analysis test.
   */
  readonly leaves: ReadonlySet<string>;
}

/**
 * The planted violations of `src/core/** must not import src/adapters/** or src/ui/**`: one per
 * import style, so a tool that misses a style finds fewer.
 */
export function plantViolations(layout: Layout, rng: Rng): PlantedViolations {
  const core = layout.byLayer.core.flatMap((d) => d.modules);
  const adapters = layout.byLayer.adapters.flatMap((d) => d.modules);
  const ui = layout.byLayer.ui.flatMap((d) => d.modules);
  const extra = new Map<string, PlannedImport[]>();
  const leaves = new Set<string>();
  // Partial Fisher–Yates: deterministic for a seed (a random sort comparator is engine-dependent).
  const sources = [...core];
  for (let i = 0; i < Math.min(6, sources.length); i++) {
    const j = rng.int(i, sources.length - 1);
    [sources[i], sources[j]] = [sources[j]!, sources[i]!];
  }
  sources.length = Math.min(6, sources.length);
  const leaf = (pool: readonly SynthModule[]): SynthModule => {
    const t = rng.pick(pool);
    leaves.add(t.path);
    return t;
  };
  const makers: ((from: SynthModule) => PlannedImport)[] = [
    (f) => { const t = leaf(adapters); return { specifier: relativeSpecifier(f.path, t.path, "js"), form: "named", symbol: t.symbol }; },
    () => { const t = leaf(adapters); return { specifier: `${t.dir.alias}/${baseName(t)}`, form: "named", symbol: t.symbol }; },
    (f) => { const t = leaf(adapters); return { specifier: relativeSpecifier(f.path, t.path, "bare"), form: "require", symbol: t.symbol }; },
    () => { const t = leaf(ui); return { specifier: `${t.dir.alias}/${baseName(t)}.js`, form: "dynamic", symbol: t.symbol }; },
    (f) => { const t = leaf(ui); return { specifier: relativeSpecifier(f.path, t.path, "bare"), form: "named", symbol: t.symbol }; },
    (f) => { const t = leaf(ui); return { specifier: relativeSpecifier(f.path, t.path, "js"), form: "type", symbol: t.symbol }; },
  ];
  sources.forEach((src, i) => extra.set(src.path, [makers[i % makers.length]!(src)]));
  return { extra, leaves };
}

function baseName(m: SynthModule): string {
  return m.path.slice(m.dir.path.length + 1).replace(/\.tsx?$/, "");
}
