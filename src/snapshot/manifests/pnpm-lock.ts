import semver from "semver";
import { splitNameAt } from "../../core/package-spec.js";
import type { DependencyRef } from "../../core/snapshot.js";
import { problemList, type ParsedManifest } from "./located.js";
import { parseFlowMapping, scanYamlBlocks, type YamlEntry } from "./yaml-lines.js";

/**
 * pnpm-lock.yaml, lockfile v5 (`/name/1.2.3_peer@1`), v6 (`/name@1.2.3(peer@1)`) and v9
 * (`name@1.2.3`, peers only under `snapshots:`), read with the line scanner in yaml-lines.ts.
 *
 * `direct`: what a project declares, at its line under `importers.<path>.<section>` (or the
 * top-level sections of a single-project v5/v6 lock), with the resolved version: the peer suffix
 * is dropped and an alias (`/bar@1.0.0`, `/bar/1.0.0`, `bar@1.0.0`) names the real package.
 * `link:` versions are workspace symlinks, described by their own package.json, and skipped.
 * `transitive`: every `packages:` key not already seen as a direct ref (`name:`/`version:`
 * fields win for tarball and git keys). `snapshots:` repeats `packages:` with peers and is not read.
 */

const SECTIONS = new Set(["dependencies", "devDependencies", "optionalDependencies"]);

/** `1.2.3(react@18)` → `1.2.3`; v5's `1.2.3_react@18` → `1.2.3`. */
function withoutPeers(version: string): string {
  const paren = version.indexOf("(");
  const v = paren === -1 ? version : version.slice(0, paren);
  const underscore = v.indexOf("_");
  return underscore !== -1 && semver.valid(v.slice(0, underscore)) !== null ? v.slice(0, underscore) : v;
}

const V5_KEY = /^(?:@[^/@]+\/)?[^/@]+\/(?=\d)/;

/** A `packages:` key (or a path-style alias) as name and version. */
function packageKey(key: string): { name: string; version: string | null } {
  const registry = key.startsWith("/");
  const k = registry ? key.slice(1) : key;
  const v5 = registry ? V5_KEY.exec(k) : null;
  if (v5) return { name: k.slice(0, v5[0].length - 1), version: withoutPeers(k.slice(v5[0].length)) };
  const { name, rest } = splitNameAt(k);
  return { name, version: rest === null ? null : withoutPeers(rest) };
}

/** A resolved importer version: plain, peer-suffixed, or an alias naming another package. */
function resolvedVersion(name: string, raw: string): { name: string; version: string } {
  const v = withoutPeers(raw);
  if (semver.valid(v) !== null) return { name, version: v };
  if (v.startsWith("/")) {
    const alias = packageKey(v);
    return { name: alias.name, version: alias.version ?? v };
  }
  if (/^(?:@[^/@:]+\/)?[^/@:]+@/.test(v)) {
    const alias = splitNameAt(v);
    if (alias.rest !== null) return { name: alias.name, version: withoutPeers(alias.rest) };
  }
  return { name, version: v };
}

interface Pending {
  name: string;
  version: string | null;
  line: number;
  column: number;
  realName: string | null;
}

export function parsePnpmLock(path: string, text: string): ParsedManifest {
  const { problems, add } = problemList(path);
  const direct: Pending[] = [];
  const packages: Pending[] = [];
  let lockfileVersion: string | null = null;
  let current: Pending | null = null;
  let currentDepth = -1;

  const isDependency = (p: readonly string[]): boolean =>
    (p.length === 1 && SECTIONS.has(p[0]!)) || (p.length === 3 && p[0] === "importers" && SECTIONS.has(p[2]!));
  const isStructural = (p: readonly string[], key: string): boolean =>
    (p.length === 0 && (key === "importers" || key === "packages" || SECTIONS.has(key))) ||
    (p.length === 1 && p[0] === "importers") ||
    (p.length === 2 && p[0] === "importers" && SECTIONS.has(key));

  const entry = (e: YamlEntry): void => {
    const p = e.parents;
    if (p.length === 0 && e.key === "lockfileVersion") lockfileVersion = e.value;
    if (p.length <= currentDepth) current = null;
    if (current !== null && p.length === currentDepth + 1 && p[currentDepth] === current.name && (e.key === "version" || e.key === "name")) {
      if (e.key === "version") current.version = e.value;
      else current.realName = e.value;
      return;
    }
    if (e.flow !== null && isStructural(p, e.key) && !/^(\{\s*\}|\[\s*\])$/.test(e.flow)) {
      add(e, "a flow-style mapping where pnpm writes a block; its entries are not read. Run `pnpm install` to rewrite the lockfile");
      return;
    }
    const isDep = isDependency(p);
    const isPackage = p.length === 1 && p[0] === "packages";
    if (!isDep && !isPackage) return;
    const pending: Pending = { name: e.key, version: e.value, line: e.line, column: e.column, realName: null };
    if (e.flow !== null) {
      const fields = parseFlowMapping(e.flow);
      if (fields === null) add(e, `the entry \`${e.key}\` is not a readable mapping`);
      else {
        if (typeof fields.version === "string") pending.version = fields.version;
        if (typeof fields.name === "string") pending.realName = fields.name;
      }
    }
    (isDep ? direct : packages).push(pending);
    current = e.value === null && e.flow === null ? pending : null;
    currentDepth = p.length;
  };
  scanYamlBlocks(text, { entry, problem: add });
  if (lockfileVersion === null) add({ line: 1, column: 1 }, "no `lockfileVersion`: this is not a pnpm lockfile");

  const refs: DependencyRef[] = [];
  const seen = new Set<string>();
  for (const d of direct) {
    if (d.version === null) {
      add(d, `\`${d.name}\` has no resolved \`version\``);
      refs.push({ name: d.name, version: null, source: "pnpm-lock", section: "direct", path, line: d.line, column: d.column });
      continue;
    }
    if (d.version.startsWith("link:")) continue;
    const r = resolvedVersion(d.name, d.version);
    seen.add(`${r.name}@${r.version}`);
    refs.push({ name: r.name, version: r.version, source: "pnpm-lock", section: "direct", path, line: d.line, column: d.column });
  }
  for (const p of packages) {
    const fromKey = packageKey(p.name);
    const name = p.realName ?? fromKey.name;
    const version = p.version ?? fromKey.version;
    if (seen.has(`${name}@${version}`)) continue;
    refs.push({ name, version, source: "pnpm-lock", section: "transitive", path, line: p.line, column: p.column });
  }
  return { refs, problems };
}
