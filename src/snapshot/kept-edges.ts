import type { ImportEdge } from "../core/snapshot.js";
import { NAMESPACE, type ModuleRecord } from "./module-record.js";
import type { ModuleResolver } from "./resolve-module.js";

/** A module's `export … from` (or `import` then `export`) pointing at a file of the tree. */
export interface ReexportLink {
  readonly target: string;
  readonly star: boolean;
}

/**
 * What a graph build leaves for the next revision's: the paths whose text resolution read
 * (manifests, tsconfigs) and every module's re-export links. Null: no edge of it may be kept
 * (an answer depended on question order, or a config was broken).
 */
export type LinkFacts = { readonly inputs: ReadonlySet<string>; readonly reexports: ReadonlyMap<string, readonly ReexportLink[]> } | null;

export interface PreviousGraph {
  readonly files: readonly string[];
  /** Blob id of each path that had one, and whether the path had text. */
  readonly blobShas: ReadonlyMap<string, string>;
  readonly hadText: (path: string) => boolean;
  readonly edges: readonly ImportEdge[];
  readonly facts: LinkFacts;
}

export interface CurrentGraph {
  readonly files: readonly string[];
  readonly contents: ReadonlyMap<string, string>;
  readonly blobShas?: ReadonlyMap<string, string>;
  readonly records: ReadonlyMap<string, ModuleRecord>;
}

export interface KeptEdges {
  /** Importing file → its edges' [start, end) in the previous graph's edge list. */
  readonly ranges: ReadonlyMap<string, readonly [number, number]>;
  /** This revision's re-export links, for its own facts. */
  readonly reexports: ReadonlyMap<string, readonly ReexportLink[]>;
}

/** Every module's re-export links (a full build; resolution is memoised, so these are lookups). */
export function reexportLinks(records: ReadonlyMap<string, ModuleRecord>, resolver: ModuleResolver): Map<string, readonly ReexportLink[]> {
  const out = new Map<string, readonly ReexportLink[]>();
  for (const [path, record] of records) {
    const links = linksOf(path, record, resolver);
    if (links.length) out.set(path, links);
  }
  return out;
}

function linksOf(path: string, record: ModuleRecord, resolver: ModuleResolver): ReexportLink[] {
  const links: ReexportLink[] = [];
  for (const r of record.reexports) {
    const target = resolver.resolve(path, r.specifier);
    if (target.type === "file") links.push({ target: target.path, star: r.exportName === NAMESPACE });
  }
  return links;
}

/**
 * Edges of the previous revision this one has too, by importing file; null when none can be
 * kept. A file's direct edges are its specifiers resolved, and resolution reads only the file
 * list and the texts in `facts.inputs`: with the same list and those texts unchanged, an
 * unchanged file resolves as before (resolution is never carried over otherwise: a new foo.ts
 * beside foo/index.ts changes the list, and then nothing is kept). Its barrel edges read the
 * records of modules reachable from its targets through re-exports, so a file is redone when
 * one of its targets is a changed file or re-exports, at any depth, from one (the first changed
 * module on such a chain is reached through unchanged modules' links, which are the previous
 * build's, so the chains are found without resolving them again). A loop of `export *` makes
 * barrel tables depend on query order: then nothing is kept.
 */
export function keptEdges(now: CurrentGraph, prev: PreviousGraph, resolver: ModuleResolver): KeptEdges | null {
  if (prev.facts === null || prev.files.length !== now.files.length || prev.files.some((p, i) => p !== now.files[i])) return null;
  const changed = new Set<string>();
  for (const path of now.files) {
    const sha = now.blobShas?.get(path);
    if (sha === undefined || prev.blobShas.get(path) !== sha || prev.hadText(path) !== now.contents.has(path)) changed.add(path);
  }
  // Most of the tree changed (a branch far from its base): nothing worth keeping.
  if (changed.size * 4 > now.files.length) return null;
  for (const path of changed) if (prev.facts.inputs.has(path)) return null;

  const reexports = new Map(prev.facts.reexports);
  for (const path of changed) {
    const record = now.records.get(path);
    const links = record ? linksOf(path, record, resolver) : [];
    if (links.length) reexports.set(path, links);
    else reexports.delete(path);
  }
  if (hasStarLoop(reexports)) return null;

  const reexporters = new Map<string, string[]>(); // module → modules that re-export from it
  for (const [from, list] of reexports) for (const l of list) append(reexporters, l.target, from);
  const touched = new Set(changed);
  const queue = [...changed];
  while (queue.length) {
    for (const r of reexporters.get(queue.pop()!) ?? []) {
      if (!touched.has(r)) touched.add(r), queue.push(r);
    }
  }

  // Edges come out in file order, so each importing file's edges are one run of the list.
  const runs = new Map<string, [number, number]>();
  prev.edges.forEach((e, i) => {
    const run = runs.get(e.from);
    if (run) run[1] = i + 1;
    else runs.set(e.from, [i, i + 1]);
  });
  const ranges = new Map<string, readonly [number, number]>();
  for (const path of now.records.keys()) {
    if (touched.has(path)) continue;
    const run = runs.get(path) ?? ([0, 0] as const);
    let reaches = false;
    for (let i = run[0]; i < run[1] && !reaches; i++) {
      const t = prev.edges[i]!.target;
      reaches = t.type === "file" && touched.has(t.path);
    }
    if (!reaches) ranges.set(path, run);
  }
  return { ranges, reexports };
}

function append<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Whether `export *` links form a cycle (iterative depth-first search, three colours). */
function hasStarLoop(links: ReadonlyMap<string, readonly ReexportLink[]>): boolean {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const next = (path: string): string[] => (links.get(path) ?? []).filter((l) => l.star).map((l) => l.target);
  for (const start of links.keys()) {
    if (state.has(start)) continue;
    const stack: { path: string; succ: string[]; i: number }[] = [{ path: start, succ: next(start), i: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.succ.length) {
        const n = top.succ[top.i++]!;
        const s = state.get(n);
        if (s === 1) return true;
        if (s === undefined) {
          state.set(n, 1);
          stack.push({ path: n, succ: next(n), i: 0 });
        }
      } else {
        state.set(top.path, 2);
        stack.pop();
      }
    }
  }
  return false;
}
