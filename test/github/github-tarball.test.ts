import { gzipSync } from "node:zlib";
import { Header, type HeaderData } from "tar";
import { describe, expect, it } from "vitest";
import { TarballError, unpackTarball } from "../../src/github/github-tarball.js";
import { tarEntryPath, tarRootOf } from "../../src/github/tar-entry-filter.js";

const ROOT = "acme-app-0123456";

describe("tarEntryPath", () => {
  it.each([
    [`${ROOT}/src/a.ts`, "File", "src/a.ts"],
    [`${ROOT}/a.ts`, "OldFile", "a.ts"],
    [`${ROOT}/../evil.ts`, "File", null],
    [`${ROOT}/src/../../evil.ts`, "File", null],
    [`${ROOT}/./a.ts`, "File", null],
    [`${ROOT}//a.ts`, "File", null],
    [`/${ROOT}/a.ts`, "File", null],
    ["/etc/passwd", "File", null],
    ["C:/windows/a.ts", "File", null],
    [`${ROOT}\\..\\evil.ts`, "File", null],
    ["other-root/a.ts", "File", null],
    [ROOT, "File", null],
    [`${ROOT}/link.ts`, "SymbolicLink", null],
    [`${ROOT}/hard.ts`, "Link", null],
    [`${ROOT}/dev`, "CharacterDevice", null],
    [`${ROOT}/blk`, "BlockDevice", null],
    [`${ROOT}/fifo`, "FIFO", null],
    [`${ROOT}/dir/`, "Directory", null],
  ])("%s (%s) → %s", (path, type, expected) => {
    expect(tarEntryPath(path, type, ROOT)).toBe(expected);
  });

  it("has no root until a safe entry names one", () => {
    expect(tarRootOf("../x")).toBeNull();
    expect(tarRootOf("/abs/x")).toBeNull();
    expect(tarRootOf(`${ROOT}/`)).toBe(ROOT);
    expect(tarEntryPath(`${ROOT}/a.ts`, "File", null)).toBeNull();
  });
});

/** A hand-made archive: node-tar's Header encodes each block, so paths are exactly what we say. */
function archive(entries: Array<HeaderData & { body?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const { body = "", ...data } of entries) {
    const content = Buffer.from(body);
    const block = Buffer.alloc(512);
    new Header({ mode: 0o644, mtime: new Date(0), size: content.length, ...data }).encode(block, 0);
    blocks.push(block, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

async function* chunks(buf: Buffer, size = 97): AsyncIterable<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const limits = { maxBytes: 1 << 20, maxEntries: 100, maxEntryBytes: 1 << 16 };

describe("unpackTarball", () => {
  const hostile = archive([
    { path: `${ROOT}/`, type: "Directory", size: 0 },
    { path: `${ROOT}/a.ts`, type: "File", body: "good\n" },
    { path: `${ROOT}/../evil.ts`, type: "File", body: "escaped\n" },
    { path: "/abs.ts", type: "File", body: "absolute\n" },
    { path: `${ROOT}/link.ts`, type: "SymbolicLink", linkpath: "/etc/passwd" },
    { path: `${ROOT}/hard.ts`, type: "Link", linkpath: `${ROOT}/a.ts` },
    { path: `${ROOT}/dev`, type: "CharacterDevice" },
    { path: "elsewhere/x.ts", type: "File", body: "outside\n" },
  ]);
  const wanted = new Set(["a.ts", "evil.ts", "../evil.ts", "abs.ts", "link.ts", "hard.ts", "dev", "x.ts", "elsewhere/x.ts"]);

  it("keeps only regular files inside the root and drops `..`, absolute paths, links and devices", async () => {
    const files = await unpackTarball(chunks(hostile), wanted, limits);
    expect([...files.keys()]).toEqual(["a.ts"]);
    expect(Buffer.from(files.get("a.ts")!).toString()).toBe("good\n");
  });

  it("skips entries over maxEntryBytes unread", async () => {
    const buf = archive([{ path: `${ROOT}/big.ts`, type: "File", body: "x".repeat(100) }, { path: `${ROOT}/a.ts`, type: "File", body: "a" }]);
    const files = await unpackTarball(chunks(buf), new Set(["big.ts", "a.ts"]), { ...limits, maxEntryBytes: 50 });
    expect([...files.keys()]).toEqual(["a.ts"]);
  });

  it("aborts past the entry cap, the unpacked-size cap and the download cap", async () => {
    await expect(unpackTarball(chunks(hostile), wanted, { ...limits, maxEntries: 3 })).rejects.toThrow(TarballError);
    const big = archive([{ path: `${ROOT}/a.ts`, type: "File", body: "y".repeat(5000) }]);
    await expect(unpackTarball(chunks(big), wanted, { ...limits, maxBytes: 4000 })).rejects.toThrow(/unpacks to more than 4000 bytes/);
    await expect(unpackTarball(chunks(hostile), wanted, { ...limits, maxBytes: 100 })).rejects.toThrow(/larger than 100 bytes/);
  });

  it("finds nothing in a non-archive and rejects a corrupt gzip stream, without hanging", async () => {
    expect((await unpackTarball(chunks(Buffer.from("not a tarball at all".repeat(100))), wanted, limits)).size).toBe(0);
    await expect(unpackTarball(chunks(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7])), wanted, limits)).rejects.toThrow();
  });
});
