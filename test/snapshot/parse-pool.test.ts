import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { catFileBatch, gitFileSource } from "../../src/snapshot/git-file-source.js";
import { createTestRepo } from "../helpers/git-repo.js";

/**
 * The parse pool with real worker threads: they run the compiled worker (dist/, built by `npm
 * test` before vitest), so this file loads the compiled pool too; under vitest the source
 * pool would find no worker file and parse on its own thread.
 */
const DIST = new URL("../../dist/snapshot/", import.meta.url);
type PoolModule = typeof import("../../src/snapshot/parse-pool.js");
type ExtractModule = typeof import("../../src/snapshot/extract-imports.js");
type CodecModule = typeof import("../../src/snapshot/record-codec.js");
const load = async () => {
  if (!existsSync(new URL("parse-worker.js", DIST))) throw new Error("dist/ is not built: run `npm run build` (npm test does)");
  const pool = (await import(new URL("parse-pool.js", DIST).href)) as PoolModule;
  const extract = (await import(new URL("extract-imports.js", DIST).href)) as ExtractModule;
  const codec = (await import(new URL("record-codec.js", DIST).href)) as CodecModule;
  return { createParsePool: pool.createParsePool, extractModuleRecord: extract.extractModuleRecord, codec };
};

const files = Array.from({ length: 300 }, (_, i) => ({
  path: `src/m${i}.${i % 7 === 0 ? "tsx" : "ts"}`,
  text: i % 50 === 3 ? `const = ;\nimport "./m${i + 1}";\n` : `import { a${i} } from "./m${i + 1}";\nimport type { T } from "@scope/t";\nexport const x${i}: T = a${i};\nexport * from "./m${(i * 7) % 300}";\n`,
}));

type Pool = ReturnType<PoolModule["createParsePool"]>;
type Records = Awaited<ReturnType<ReturnType<Pool["session"]>["finish"]>>;

/**
 * Streams `files` into sessions (a pause of `pauseMs` every 40 files, as git hands them over)
 * until the workers took part, bounded at 20 s: they are up after ~50 ms on an idle machine,
 * far later beside CI's other test files (a single stream once found them still starting).
 * Each session's records go to `check`; returns how many sessions ran and the last records.
 */
async function streamUntilWorkersTakePart(pool: Pool, pauseMs: number, check: (records: Records) => void = () => {}, bytes?: number): Promise<{ sessions: number; records: Records }> {
  const until = Date.now() + 20_000;
  let sessions = 0;
  let records: Records;
  do {
    const session = pool.session(bytes);
    sessions++;
    for (const [i, f] of files.entries()) {
      session.add(f.path, f.text);
      if (i % 40 === 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
    records = await session.finish();
    check(records);
  } while (pool.stats.byWorkers === 0 && Date.now() < until);
  return { sessions, records };
}

describe("parse pool", () => {
  it("with minBytes, parses a smaller session here (a verdict thread checking syntax) and starts its parse threads for one that big", async () => {
    const { createParsePool, extractModuleRecord } = await load();
    const expected = files.map((f) => extractModuleRecord(f.path, f.text));
    const pool = createParsePool(1, { minBytes: 1_000_000 });
    try {
      // Small sessions: the verdict thread answers once it is up; the records are the same either way.
      const small = await streamUntilWorkersTakePart(pool, 2, (records) => expect(records).toEqual(expected), 999_999);
      expect(pool.stats.byWorkers).toBeGreaterThan(0);
      expect(small.records).toEqual(expected);
      const verdicts = pool.stats.byWorkers;
      // A big enough session starts the parse thread, which then takes part.
      const until = Date.now() + 20_000;
      while (pool.stats.byWorkers === verdicts && Date.now() < until) {
        const big = pool.session(1_000_000);
        for (const [i, f] of files.entries()) {
          big.add(f.path, f.text);
          if (i % 40 === 0) await new Promise((r) => setTimeout(r, 2));
        }
        expect(await big.finish()).toEqual(expected);
      }
      expect(pool.stats.byWorkers).toBeGreaterThan(verdicts);
    } finally {
      pool.close();
    }
  });

  it("gives every thread's records in the order files were added, streamed or all at once", async () => {
    const { createParsePool, extractModuleRecord } = await load();
    const expected = files.map((f) => extractModuleRecord(f.path, f.text));
    const pool = createParsePool(2);
    try {
      expect(await pool.extract(files)).toEqual(expected);
      // Files arrive over time, as git hands them over.
      const { sessions } = await streamUntilWorkersTakePart(pool, 2, (records) => expect(records).toEqual(expected));
      // The workers parsed while files were still being added, and every chunk was parsed once.
      expect(pool.stats.byWorkers).toBeGreaterThan(0);
      expect(pool.stats.byWorkers + pool.stats.here).toBe((1 + sessions) * Math.ceil(files.length / 16));
    } finally {
      pool.close();
    }
  });

  it("hands over each record's cache encoding, made where it was parsed, equal to encoding it here", async () => {
    const { createParsePool, extractModuleRecord, codec } = await load();
    const pool = createParsePool(2);
    try {
      // Streamed with pauses, so the workers take chunks too.
      const { records } = await streamUntilWorkersTakePart(pool, 20);
      expect(pool.stats.byWorkers).toBeGreaterThan(0);
      expect(pool.stats.here).toBeGreaterThan(0);
      records.forEach((record, i) => {
        const here = JSON.stringify(codec.encodeRecord(extractModuleRecord(files[i]!.path, files[i]!.text)));
        expect(codec.encodedJson(record)).toBe(here);
        expect(codec.decodeRecord(JSON.parse(codec.encodedJson(record)))).toEqual(record);
      });
      // A record never seen by a pool is encoded on demand, to the same text.
      const fresh = extractModuleRecord(files[1]!.path, files[1]!.text);
      expect(codec.encodedJson(fresh)).toBe(JSON.stringify(codec.encodeRecord(fresh)));
    } finally {
      pool.close();
    }
  });

  it("in a verdict session, gives the records a full extraction gives for every kind of file, with and without its thread", async () => {
    const { createParsePool, extractModuleRecord } = await load();
    const odd = [
      { path: "src/broken.ts", text: `import { a } from "./a";\nexport function f(x) { return x +* 1 }\n` },
      // Scans cleanly but oxc rejects it: only the verdict tells.
      { path: "src/strict.ts", text: `import { a } from "./a";\nlet let = 1;\n` },
      { path: "src/deep.ts", text: `import { a } from "./a";\nexport const d = ${"[".repeat(3000)}${"]".repeat(3000)};\n` },
      { path: "src/bail.ts", text: `import { q } from "./q";\nexport { q };\n` },
      { path: "src/plain.js", text: `const a = require("./a");\nmodule.exports = a;\n` },
      { path: "src/types.d.ts", text: `export declare const t: number;\n` },
      { path: "data/notes.json", text: `{ "import": "x" }\n` },
    ];
    const mixed = files.slice(0, 120).flatMap((f, i) => (i % 17 === 0 ? [f, odd[(i / 17) % odd.length]!] : [f]));
    const expected = mixed.map((f) => extractModuleRecord(f.path, f.text));
    expect(expected.filter((r) => r.problems.length > 0).length).toBeGreaterThan(3);
    const pool = createParsePool(1, { minBytes: Infinity });
    try {
      // Until the thread is up and answering, then once more after it is gone.
      const until = Date.now() + 20_000;
      do {
        const session = pool.session(1);
        for (const [i, f] of mixed.entries()) {
          session.add(f.path, f.text);
          if (i % 40 === 0) await new Promise((r) => setTimeout(r, 2));
        }
        expect(await session.finish()).toEqual(expected);
      } while (pool.stats.byWorkers === 0 && Date.now() < until);
      expect(pool.stats.byWorkers).toBeGreaterThan(0);
      const session = pool.session(1);
      for (const f of mixed.slice(0, 60)) session.add(f.path, f.text);
      pool.close();
      for (const f of mixed.slice(60)) session.add(f.path, f.text);
      expect(await session.finish()).toEqual(expected);
    } finally {
      pool.close();
    }
  });

  it("parses on its own what a dead worker took, and finishes without any worker", async () => {
    const { createParsePool, extractModuleRecord } = await load();
    const expected = files.map((f) => extractModuleRecord(f.path, f.text));
    const pool = createParsePool(1);
    const session = pool.session();
    for (const f of files.slice(0, 100)) session.add(f.path, f.text);
    // The worker dies with chunks posted to it, some perhaps taken and unanswered.
    pool.close();
    for (const f of files.slice(100)) session.add(f.path, f.text);
    expect(await session.finish()).toEqual(expected);
    expect(await pool.extract(files.slice(0, 20))).toEqual(expected.slice(0, 20));
  });
});

describe("cat-file streaming", () => {
  const repo = createTestRepo();
  afterAll(() => repo.cleanup());

  it("hands each blob over as soon as it is complete, whole, including blobs larger than a pipe chunk", async () => {
    const big = "x".repeat(300_000) + "\n";
    const tree = { "a.ts": "export const a = 1;\n", "big.txt": big, "empty.ts": "", "b/c.ts": "import './../a';\n", "same.ts": "export const a = 1;\n" };
    repo.commit(tree);
    const source = gitFileSource(repo.dir, "HEAD");
    const entries = await source.listFiles();
    const seen: Array<[string, string]> = [];
    const read = await source.readFiles(entries.map((e) => e.path).concat("nope.ts"), (path, data) => seen.push([path, Buffer.from(data).toString("utf8")]));
    for (const [path, text] of Object.entries(tree)) expect(Buffer.from(read.get(path) as Uint8Array).toString("utf8"), path).toBe(text);
    expect(read.get("nope.ts")).toBeInstanceOf(Error);
    // Every path once, with its own bytes (two paths share one blob).
    expect(new Map(seen)).toEqual(new Map(Object.entries(tree)));
    expect(seen).toHaveLength(Object.keys(tree).length);
  });

  it("skips missing objects and still reads the rest", async () => {
    repo.commit({ "k.ts": "export const k = 1;\n" });
    const sha = repo.git("rev-parse", "HEAD:k.ts");
    const blobs = await catFileBatch(repo.dir, ["0".repeat(40), sha]);
    expect([...blobs.keys()]).toEqual([sha]);
  });
});
