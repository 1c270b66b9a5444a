import { gitBlobSha } from "../core/git-blob-sha.js";
import { manifestSourceOf } from "../core/manifest-files.js";
import type { Read } from "../core/kind.js";
import type { RepoSnapshot, SkipReason } from "../core/snapshot.js";
import { extractDependencies } from "./dependencies.js";
import type { FileSource, TreeEntry } from "./file-source.js";
import { buildImportGraphAsync, needsRecord, type LinkFacts, type PreviousGraph } from "./import-graph.js";
import type { ModuleRecord } from "./module-record.js";
import type { ParsePool } from "./parse-pool.js";
import type { RecordCache } from "./record-cache.js";

export interface SnapshotLimits {
  /** Files larger than this are listed but not read (GitHub's contents API stops at 1 MB too). */
  readonly maxFileBytes: number;
  /** Lockfiles are routinely larger than source files, and an unread one fails closed. */
  readonly maxManifestBytes: number;
  /** A tree with more entries fails closed instead of exhausting memory. */
  readonly maxFiles: number;
  /** Total bytes read for one revision. */
  readonly maxTotalBytes: number;
}

export const DEFAULT_LIMITS: SnapshotLimits = { maxFileBytes: 1024 * 1024, maxManifestBytes: 64 * 1024 * 1024, maxFiles: 200_000, maxTotalBytes: 512 * 1024 * 1024 };

export class SnapshotLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotLimitError";
  }
}

/** Path → blob id of the earlier snapshot's files that have one. */
function reusableTexts(reuse: BuildOptions["reuse"]): { blobs: Map<string, string>; snapshot: RepoSnapshot } | null {
  if (!reuse || reuse.snapshot.contents.size + reuse.snapshot.skipped.size === 0) return null;
  const blobs = new Map<string, string>();
  for (const e of reuse.entries) if (e.type === "file" && e.blobSha) blobs.set(e.path, e.blobSha);
  return { blobs, snapshot: reuse.snapshot };
}

/** Skip reasons decided by the bytes alone; "unreadable" may have been a passing failure, so such a file is read again. */
const reusableSkip = (reason: SkipReason | undefined): SkipReason | undefined => (reason === "unreadable" ? undefined : reason);

const BINARY_EXT = /\.(png|jpe?g|gif|webp|ico|bmp|pdf|zip|gz|tgz|bz2|xz|7z|jar|war|class|so|dylib|dll|exe|bin|wasm|woff2?|ttf|otf|eot|mp[34]|mov|avi|webm|ogg|wav|flac|psd|sqlite|db)$/i;

/**
 * Source files are read even with a NUL byte or invalid UTF-8 (as U+FFFD): Node and TypeScript
 * still run such a file, so skipping it as "binary" let one crafted byte in a comment hide
 * every violation in the file (found by test/reliability/hostile-tree.test.ts).
 */
const SOURCE_EXT = /\.(?:[cm]?[jt]sx?|mts|cts|json|jsonc|ya?ml|html?|css|scss|less|vue|svelte|astro|sh|sql|md)$/i;

export interface BuildOptions {
  readonly reads: ReadonlySet<Read>;
  readonly cache?: RecordCache;
  readonly limits?: SnapshotLimits;
  /** Entries already listed by the caller (saves a second listing). */
  readonly entries?: readonly TreeEntry[];
  /** Worker threads to parse on besides this one (see parse-pool.ts); absent: libuv's thread pool. */
  readonly parsePool?: ParsePool;
  /**
   * An earlier snapshot built with the same limits (the base of a change): a file whose blob id
   * it had under the same path is not read again, its text (or its content-determined skip
   * reason) is taken from there. A blob id names the bytes, so the result is the same as reading.
   */
  readonly reuse?: { readonly entries: readonly TreeEntry[]; readonly snapshot: RepoSnapshot };
  /** Filled with how many source files were parsed and how many came from the record cache. */
  readonly stats?: { parsed: number; cached: number };
}

/** Reads a revision through a FileSource and derives what the policy's kinds read. */
export async function buildSnapshot(source: FileSource, opts: BuildOptions): Promise<RepoSnapshot> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const entries = opts.entries ?? (await source.listFiles());
  if (entries.length > limits.maxFiles) {
    throw new SnapshotLimitError(`${source.label} has ${entries.length} tree entries; the limit is ${limits.maxFiles}. Plumbline fails closed rather than judge part of a tree`);
  }
  const files = entries.map((e) => e.path);
  const skipped = new Map<string, SkipReason>();
  const contents = new Map<string, string>();
  const blobShas = new Map<string, string>();
  const capOf = (path: string) => (manifestSourceOf(path) !== null ? limits.maxManifestBytes : limits.maxFileBytes);
  const needsText = ["contents", "imports", "dependencies"].some((r) => opts.reads.has(r as Read));

  const wantsGraph = opts.reads.has("imports") || opts.reads.has("dependencies");
  const prefetch = wantsGraph && needsText && opts.parsePool ? opts.parsePool.session(bytesToParse(entries, capOf, opts.cache)) : null;
  const prefetched: string[] = [];
  if (needsText) {
    const toRead: string[] = [];
    const reused = reusableTexts(opts.reuse);
    let total = 0;
    for (const e of entries) {
      if (e.type !== "file") continue;
      if (e.blobSha) blobShas.set(e.path, e.blobSha);
      if (BINARY_EXT.test(e.path)) skipped.set(e.path, "binary");
      else if (e.size > capOf(e.path)) skipped.set(e.path, "oversized");
      else {
        total += e.size;
        if (total > limits.maxTotalBytes) throw new SnapshotLimitError(`${source.label} holds more than ${limits.maxTotalBytes} bytes of text; Plumbline fails closed rather than judge part of a tree`);
        toRead.push(e.path);
      }
    }
    const known = (path: string): string | SkipReason | undefined => {
      const sha = blobShas.get(path);
      return sha !== undefined && reused?.blobs.get(path) === sha ? (reused.snapshot.contents.get(path) ?? reusableSkip(reused.snapshot.skipped.get(path))) : undefined;
    };
    // With parse threads, a source file's parse starts as soon as git has handed over its bytes.
    const early = new Map<string, Decoded>();
    const onFile = prefetch
      ? (path: string, data: Uint8Array) => {
          const decoded = decode(path, data, capOf(path));
          early.set(path, decoded);
          if (decoded.text !== undefined && needsRecord(path, blobShas.get(path), opts.cache)) {
            prefetch.add(path, decoded.text);
            prefetched.push(path);
          }
        }
      : undefined;
    let read: Map<string, Uint8Array | Error>;
    try {
      read = await source.readFiles(reused ? toRead.filter((p) => known(p) === undefined) : toRead, onFile);
    } catch (err) {
      prefetch?.cancel();
      throw err;
    }
    for (const path of toRead) {
      // Same order as a full build: evaluators iterate these maps.
      const prior = reused ? known(path) : undefined;
      if (prior !== undefined) {
        if (reused!.snapshot.contents.has(path)) contents.set(path, prior);
        else skipped.set(path, prior as SkipReason);
        continue;
      }
      const data = read.get(path);
      if (data === undefined || data instanceof Error) {
        skipped.set(path, "unreadable");
        continue;
      }
      const decoded = early.get(path) ?? decode(path, data, capOf(path));
      if (decoded.text === undefined) {
        skipped.set(path, decoded.skip);
        continue;
      }
      contents.set(path, decoded.text);
      if (!blobShas.has(path)) blobShas.set(path, gitBlobSha(data));
    }
  }

  const parsed = new Map<string, ModuleRecord>();
  if (prefetch) (await prefetch.finish()).forEach((record, i) => parsed.set(prefetched[i]!, record));
  // The async build yields between batches, which keeps peak memory ~35% lower at 10k files.
  const previous = wantsGraph ? previousGraph(opts.reuse) : null;
  const graph = wantsGraph ? await buildImportGraphAsync({ files, contents, blobShas, ...(opts.cache ? { cache: opts.cache } : {}), ...(previous ? { previous } : {}) }, opts.parsePool ? { pool: opts.parsePool, parsed } : {}) : { edges: [], problems: [] };
  if (opts.stats && "stats" in graph) {
    opts.stats.parsed += graph.stats.parsed;
    opts.stats.cached += graph.stats.cached;
  }
  const deps = opts.reads.has("dependencies") ? extractDependencies({ files, contents, imports: graph.edges }) : { dependencies: [], manifests: [], problems: [] };
  const snapshot: RepoSnapshot = {
    files,
    contents,
    skipped,
    imports: graph.edges,
    dependencies: deps.dependencies,
    manifests: deps.manifests,
    problems: [...graph.problems, ...deps.problems],
  };
  if ("facts" in graph && graph.facts) linkFacts.set(snapshot, graph.facts);
  return snapshot;
}

/** Roughly the text a build will parse: source files within their cap whose record is not cached. */
function bytesToParse(entries: readonly TreeEntry[], capOf: (path: string) => number, cache: RecordCache | undefined): number {
  let bytes = 0;
  for (const e of entries) if (e.type === "file" && e.size <= capOf(e.path) && needsRecord(e.path, e.blobSha ?? undefined, cache)) bytes += e.size;
  return bytes;
}

type Decoded = { readonly text: string; readonly skip?: undefined } | { readonly text?: undefined; readonly skip: SkipReason };
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const lossy = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

/** A file's text, or why it has none, from its bytes alone. */
function decode(path: string, data: Uint8Array, cap: number): Decoded {
  if (data.length > cap) return { skip: "oversized" };
  const isSource = SOURCE_EXT.test(path);
  if (!isSource && data.subarray(0, 8000).includes(0)) return { skip: "binary" };
  try {
    return { text: utf8.decode(data) };
  } catch {
    return isSource ? { text: lossy.decode(data) } : { skip: "invalid-utf8" };
  }
}

/** What each snapshot's import graph build consulted, so a later build may keep its edges (see import-graph.ts). */
const linkFacts = new WeakMap<RepoSnapshot, NonNullable<LinkFacts>>();

function previousGraph(reuse: BuildOptions["reuse"]): PreviousGraph | null {
  const facts = reuse ? linkFacts.get(reuse.snapshot) : undefined;
  if (!reuse || !facts) return null;
  const blobShas = new Map<string, string>();
  for (const e of reuse.entries) if (e.type === "file" && e.blobSha) blobShas.set(e.path, e.blobSha);
  return { files: reuse.snapshot.files, blobShas, hadText: (p) => reuse.snapshot.contents.has(p), edges: reuse.snapshot.imports, facts };
}
