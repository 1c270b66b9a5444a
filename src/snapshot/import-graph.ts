import type { ImportEdge, SnapshotProblem } from "../core/snapshot.js";
import { extractModuleRecord, extractModuleRecordAsync, isSourcePath } from "./extract-imports.js";
import { createBarrelFollower, type BarrelFollower } from "./follow-barrels.js";
import type { ParsePool } from "./parse-pool.js";
import { keptEdges, reexportLinks, type LinkFacts, type PreviousGraph } from "./kept-edges.js";
import type { ModuleRecord, RecordedSpecifier } from "./module-record.js";
import { recordKey, type RecordCache } from "./record-cache.js";
import { isUnderNodeModules } from "./repo-path.js";
import { createModuleResolver } from "./resolve-module.js";

export type { LinkFacts, PreviousGraph } from "./kept-edges.js";

export interface ImportGraphInput {
  readonly files: readonly string[];
  readonly contents: ReadonlyMap<string, string>;
  /** Git blob SHA per path; without one a file is parsed but its record is not cached. */
  readonly blobShas?: ReadonlyMap<string, string>;
  readonly cache?: RecordCache;
  /** The graph of an earlier revision (the base of a change): edges the change cannot have touched are kept. */
  readonly previous?: PreviousGraph;
}

export interface ImportGraph {
  readonly edges: ImportEdge[];
  readonly problems: SnapshotProblem[];
  readonly stats: { parsed: number; cached: number };
  /** What the next revision's build needs to keep edges of this one (see kept-edges.ts). */
  readonly facts: LinkFacts;
}

/**
 * The resolved import graph of one revision. Per-file records come from the cache when the
 * blob is known, otherwise from the parser; resolution and barrel following are redone on
 * every call because they depend on the whole tree. Edges come out in file order, then
 * source order, each direct edge followed by the barrel edges it implies. Never throws on
 * repository content: an unparsable file is a problem plus whatever edges could be recovered.
 */
export function buildImportGraph(input: ImportGraphInput): ImportGraph {
  const state = newState();
  for (const path of input.files) addRecord(state, input, path);
  return link(state, input);
}

/**
 * The same graph, with cache misses parsed on libuv's thread pool, a bounded number at a time
 * (oxc keeps each parse result's native memory until its JS wrapper is finalised, so an
 * unbounded fan-out would hold every AST at once). With a `pool`, a one-shot caller (the CLI)
 * parses on its worker threads and this one instead (see parse-pool.ts).
 */
export async function buildImportGraphAsync(input: ImportGraphInput, opts: { concurrency?: number; pool?: ParsePool; parsed?: ReadonlyMap<string, ModuleRecord> } = {}): Promise<ImportGraph> {
  const concurrency = opts.concurrency ?? 16;
  const state = newState();
  const fresh = new Map<string, ModuleRecord>(opts.parsed);
  const misses = input.files.filter((path) => !fresh.has(path) && needsParse(input, path));
  if (opts.pool) {
    const records = await opts.pool.extract(misses.map((path) => ({ path, text: input.contents.get(path)! })));
    misses.forEach((path, i) => fresh.set(path, records[i]!));
  } else {
    let next = 0;
    const lane = async () => {
      while (next < misses.length) {
        const path = misses[next++]!;
        fresh.set(path, await extractModuleRecordAsync(path, input.contents.get(path)!));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, misses.length) }, lane));
  }
  for (const path of input.files) addRecord(state, input, path, fresh.get(path));
  return link(state, input);
}

/** A source file with text whose record is not in the cache. */
function needsParse(input: ImportGraphInput, path: string): boolean {
  return input.contents.has(path) && needsRecord(path, input.blobShas?.get(path), input.cache);
}

/** Whether a file with text at `path` gets a parsed record: a source file outside node_modules whose record is not cached. */
export function needsRecord(path: string, blobSha: string | undefined, cache: RecordCache | undefined): boolean {
  if (!isSourcePath(path) || isUnderNodeModules(path)) return false;
  return blobSha === undefined || cache?.get(recordKey(blobSha)) === undefined;
}

interface GraphState {
  readonly records: Map<string, ModuleRecord>;
  readonly problems: SnapshotProblem[];
  parsed: number;
  cached: number;
}

const newState = (): GraphState => ({ records: new Map(), problems: [], parsed: 0, cached: 0 });

function addRecord(state: GraphState, input: ImportGraphInput, path: string, parsed?: ModuleRecord): "parsed" | "cached" | "skipped" {
  if (!isSourcePath(path) || isUnderNodeModules(path)) return "skipped";
  const text = input.contents.get(path);
  if (text === undefined) return "skipped";
  const sha = input.blobShas?.get(path);
  const key = sha === undefined ? null : recordKey(sha);
  const cached = parsed ? undefined : key === null ? undefined : input.cache?.get(key);
  const record: ModuleRecord = cached ?? parsed ?? extractModuleRecord(path, text);
  const outcome = cached ? "cached" : "parsed";
  if (cached) state.cached++;
  else {
    state.parsed++;
    if (key !== null) input.cache?.set(key, record);
  }
  state.records.set(path, record);
  for (const p of record.problems) state.problems.push({ path, ...p });
  return outcome;
}

function link(state: GraphState, input: ImportGraphInput): ImportGraph {
  const { records, problems } = state;
  const resolver = createModuleResolver(input);
  const barrels = createBarrelFollower(records, (from, spec) => resolver.resolve(from, spec));
  const prev = input.previous;
  const kept = prev ? keptEdges({ ...input, records }, prev, resolver) : null;
  const edges: ImportEdge[] = [];
  for (const [from, record] of records) {
    const run = kept?.ranges.get(from);
    if (run) {
      for (let i = run[0]; i < run[1]; i++) edges.push(prev!.edges[i]!);
      continue;
    }
    const resolve = resolver.resolverFor(from);
    for (const spec of record.specifiers) {
      const target = resolve(spec.specifier);
      edges.push({ from, line: spec.line, column: spec.column, specifier: spec.specifier, syntax: spec.syntax, typeOnly: spec.typeOnly, target, via: NO_VIA });
      if (target.type === "file" && spec.bindings.length > 0) addDerived(edges, from, spec, target.path, barrels);
    }
  }
  // Before `inputs()`: these are the same questions again, but nothing they read may be missed.
  const links = kept ? null : reexportLinks(records, resolver);
  const used = resolver.inputs();
  const resolverProblems = resolver.problems();
  let facts: LinkFacts = null;
  if (kept && prev?.facts) {
    // Kept edges stand on the previous build's answers; the new questions must have read only
    // texts those answers read too (unchanged, or keptEdges would have refused), else start over.
    if (used.orderSensitive || resolverProblems.length > 0 || [...used.paths].some((p) => !prev.facts!.inputs.has(p))) return link(state, { ...input, previous: undefined });
    facts = { inputs: prev.facts.inputs, reexports: kept.reexports };
  } else if (!used.orderSensitive && resolverProblems.length === 0) facts = { inputs: used.paths, reexports: links! };
  problems.push(...resolverProblems);
  return { edges, problems, stats: { parsed: state.parsed, cached: state.cached }, facts };
}

const NO_VIA: readonly string[] = Object.freeze([]);

/** One edge per declaring module behind the barrel; a value binding outranks a type binding to the same place. */
function addDerived(edges: ImportEdge[], from: string, spec: RecordedSpecifier, targetPath: string, barrels: BarrelFollower): void {
  const single = spec.bindings.length === 1;
  const merged = single ? null : new Map<string, ImportEdge>();
  for (const binding of spec.bindings) {
    for (const d of barrels.follow(targetPath, binding.name)) {
      const typeOnly = spec.typeOnly || binding.typeOnly || d.typeOnly;
      const edge: ImportEdge = { from, line: spec.line, column: spec.column, specifier: spec.specifier, syntax: spec.syntax, typeOnly, target: d.target, via: d.via };
      if (merged === null) {
        edges.push(edge);
        continue;
      }
      const prev = merged.get(d.key);
      if (!prev || (prev.typeOnly && !typeOnly)) merged.set(d.key, edge);
    }
  }
  if (merged !== null) for (const e of merged.values()) edges.push(e);
}
