import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ModuleRecord } from "./module-record.js";
import { decodeRecord, encodedJson } from "./record-codec.js";
import { createMemoryRecordCache, type RecordCache } from "./record-cache.js";

/**
 * A record cache persisted as one NDJSON file (the CLI keeps it under `<gitdir>/plumbline/`).
 * It is only an accelerator: a missing, truncated or tampered file means an empty (or partly
 * empty) cache, never an error, and every record read back is shape-checked while it is
 * decoded (see record-codec.ts).
 */
export interface DiskRecordCache extends RecordCache {
  readonly size: number;
  /** Writes the cache if anything changed, atomically (temp file + rename), so a crash mid-write never leaves a torn file. */
  flush(): Promise<void>;
}

const HEADER = JSON.stringify({ plumbline: "module-records", format: 2 });
let tempCounter = 0;

export async function diskRecordCache(file: string, opts: { maxEntries?: number } = {}): Promise<DiskRecordCache> {
  const maxEntries = opts.maxEntries ?? 100_000;
  const memory = createMemoryRecordCache(maxEntries);
  for (const [key, record] of parseCacheFile(await readOrEmpty(file))) memory.set(key, record);
  let dirty = false;
  return {
    get size() {
      return memory.size;
    },
    get: (key) => memory.get(key),
    set(key, record) {
      memory.set(key, record);
      dirty = true;
    },
    async flush() {
      if (!dirty) return;
      const lines = [HEADER];
      for (const [key, record] of memory.entries()) lines.push(`[${JSON.stringify(key)},${encodedJson(record)}]`);
      await mkdir(dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
      try {
        await writeFile(temp, `${lines.join("\n")}\n`, "utf8");
        await rename(temp, file);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      dirty = false;
    },
  };
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return "";
  }
}

/** Entries in file order (least recently used first); lines that do not check out are dropped. */
export function parseCacheFile(text: string): Array<[string, ModuleRecord]> {
  const lines = text.split("\n");
  if (lines[0] !== HEADER) return [];
  const out: Array<[string, ModuleRecord]> = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") continue;
    const record = decodeRecord(entry[1]);
    if (record !== null) out.push([entry[0], record]);
  }
  return out;
}
