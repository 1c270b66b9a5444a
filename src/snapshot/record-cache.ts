import { EXTRACTOR_VERSION, type ModuleRecord } from "./module-record.js";

/**
 * Module records keyed by `blobSha:EXTRACTOR_VERSION` (see `recordKey`). A record depends only on
 * the file's bytes, so a hit is always safe to reuse; resolution is never cached across runs.
 */
export interface RecordCache {
  get(key: string): ModuleRecord | undefined;
  set(key: string, record: ModuleRecord): void;
}

export interface MemoryRecordCache extends RecordCache {
  readonly size: number;
  /** Entries from least to most recently used, for persisting in an order that survives a cap. */
  entries(): IterableIterator<[string, ModuleRecord]>;
}

/** Keeps at most `maxEntries`, evicting the least recently used, so a long-lived worker stays bounded. */
export function createMemoryRecordCache(maxEntries = 200_000): MemoryRecordCache {
  const map = new Map<string, ModuleRecord>();
  return {
    get size() {
      return map.size;
    },
    get(key) {
      const hit = map.get(key);
      if (hit !== undefined) {
        // Map iteration follows insertion order: re-inserting marks the entry most recent.
        map.delete(key);
        map.set(key, hit);
      }
      return hit;
    },
    set(key, record) {
      map.delete(key);
      map.set(key, record);
      if (map.size > maxEntries) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
    },
    entries: () => map.entries(),
  };
}

/** The cache key of a file's record: its content, and the extractor that read it. */
export function recordKey(blobSha: string): string {
  return `${blobSha}:${EXTRACTOR_VERSION}`;
}
