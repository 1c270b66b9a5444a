import { describe, expect, it } from "vitest";
import { checkRevision, type CheckOutcome } from "../../src/check/check-revision.js";
import { gitBlobSha } from "../../src/core/git-blob-sha.js";
import type { RepoSnapshot } from "../../src/core/snapshot.js";
import { emptySnapshot } from "../../src/core/snapshot.js";
import type { FileSource, TreeEntry } from "../../src/snapshot/file-source.js";
import type { ModuleRecord } from "../../src/snapshot/module-record.js";
import { createMemoryRecordCache } from "../../src/snapshot/record-cache.js";
import { createWorkerMemo } from "../../src/queue/worker-memo.js";

const A = { installationId: 1, repoId: 10 };
const B = { installationId: 2, repoId: 10 };
const A2 = { installationId: 1, repoId: 11 };

const snapshotWith = (files: number): RepoSnapshot => ({ ...emptySnapshot(), files: Array.from({ length: files }, (_, i) => `f${i}.ts`) });

describe("worker memo", () => {
  it("never shares an entry between installations or repositories, even under the same content key", async () => {
    const memo = createWorkerMemo();
    let computed = 0;
    const compute = async () => (computed++, snapshotWith(1));
    for (const scope of [A, B, A2]) await memo.forRepo(scope).check.snapshot("same-key", compute);
    expect(computed).toBe(3);
    await memo.forRepo(A).check.snapshot("same-key", compute);
    expect(computed).toBe(3);

    const entry: TreeEntry = { path: "a.ts", size: 1, blobSha: "1".repeat(40), type: "file" };
    memo.forRepo(A).trees.commits.set("c".repeat(40), [entry]);
    memo.forRepo(A).trees.directories.set("d".repeat(40), [{ path: "a.ts", type: "blob", sha: "1".repeat(40), mode: "100644", size: 1 }]);
    memo.forRepo(A).records.set("r", { specifiers: [], problems: [] } as unknown as ModuleRecord);
    for (const other of [B, A2]) {
      const m = memo.forRepo(other);
      expect(m.trees.commits.get("c".repeat(40))).toBeUndefined();
      expect(m.trees.directories.get("d".repeat(40))).toBeUndefined();
      expect(m.trees.directories.warm).toBe(false);
      expect(m.records.get("r")).toBeUndefined();
    }
    let evaluated = 0;
    const evaluation = () => (evaluated++, { policyDigest: "d", invariants: [], findings: [], waivers: [], notices: [] });
    for (const scope of [A, B, A2, A]) memo.forRepo(scope).check.evaluation!("same-key", evaluation);
    expect(evaluated).toBe(3);
    expect(memo.forRepo(A).trees.directories.warm).toBe(true);
    expect(memo.forRepo(A).trees.commits.get("c".repeat(40))).toEqual([entry]);
  });

  it("holds snapshots up to its file budget, least recently used out first, and forgets failures", async () => {
    const memo = createWorkerMemo({ snapshotFiles: 25 });
    const repo = memo.forRepo(A);
    let computed = 0;
    const get = (key: string, files: number) => repo.check.snapshot(key, async () => (computed++, snapshotWith(files)));
    await get("a", 10);
    await get("b", 10);
    await get("a", 10); // a is now the most recent
    await get("c", 10); // over 25 files: b goes
    expect(computed).toBe(3);
    await get("a", 10);
    await get("c", 10);
    expect(computed).toBe(3);
    await get("b", 10);
    expect(computed).toBe(4);
    await expect(repo.check.snapshot("bad", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await get("bad", 1);
    expect(computed).toBe(5);
    // Larger than the whole budget: computed, not kept.
    await get("huge", 100);
    await get("huge", 100);
    expect(computed).toBe(7);
  });

});

/** An in-memory revision. */
function revision(label: string, tree: Record<string, string>): FileSource {
  return {
    label,
    async listFiles() {
      return Object.keys(tree).sort().map((path): TreeEntry => ({ path, size: Buffer.byteLength(tree[path]!), blobSha: gitBlobSha(Buffer.from(tree[path]!)), type: "file" }));
    },
    async readFiles(paths) {
      return new Map(paths.map((p) => [p, Buffer.from(tree[p]!)]));
    },
  };
}

const policy = `version: 1
invariants:
  - id: core-is-pure
    kind: import-boundary
    why: The core runs everywhere.
    from: ["src/core/**"]
    forbid: ["src/adapters/**", "ioredis"]
  - id: no-debugger
    kind: content
    why: Breakpoints do not ship.
    files: ["src/**"]
    forbid: 'debugger'
`;

const revisions: Record<string, string>[] = [
  { "invariants/p.yml": policy, "src/core/a.ts": `export const a = 1;\n`, "src/adapters/db.ts": `import r from "ioredis";\nexport const db = r;\n`, "src/core/index.ts": `export * from "./a";\n` },
  { "src/core/a.ts": `import { db } from "../adapters/db";\nexport const a = db;\n` },
  { "src/core/a.ts": `import { db } from "../adapters";\nexport const a = db;\n`, "src/adapters/index.ts": `export { db } from "./db";\n` },
  { "src/core/b.ts": `debugger;\nimport r from "ioredis";\n` },
  { "src/core/a.ts": `export const a = 1;\n`, "src/core/b.ts": `export const b = 2;\n` },
];

describe("checkRevision through a worker memo", () => {
  it("evaluates a base again once one of its waivers has expired", async () => {
    const waived = `${policy}waivers:
  - invariant: no-debugger
    path: src/core/a.ts
    reason: Tracked in the backlog.
    owner: "@alice"
    expires: 2026-06-15
`;
    const base = revision("base", { "invariants/p.yml": waived, "src/core/a.ts": "debugger;\nexport const a = 1;\n" });
    const head = revision("head", { "invariants/p.yml": waived, "src/core/a.ts": "export const a = 1;\n" });
    const memo = createWorkerMemo().forRepo(A);
    const resolved = async (now: Date, withMemo: boolean) => {
      const out = await checkRevision({ head, base, actor: null, now, ...(withMemo ? { memo: memo.check } : {}) });
      return out.type === "verdict" ? out.verdict.findings.filter((f) => f.status === "resolved").map((f) => f.path) : out.type;
    };
    expect(await resolved(new Date("2026-06-01T00:00:00Z"), true)).toEqual([]);
    // Expired, the base's breakpoint counts again, so the head resolves it.
    const july = new Date("2026-07-01T00:00:00Z");
    expect(await resolved(july, false)).toEqual(["src/core/a.ts"]);
    expect(await resolved(july, true)).toEqual(["src/core/a.ts"]);
  });

  it("gives the verdict it gives without one, push after push", async () => {
    const memo = createWorkerMemo().forRepo(A);
    const records = createMemoryRecordCache();
    let tree: Record<string, string> = {};
    let prev: FileSource | null = null;
    const findings: string[] = [];
    const now = new Date("2026-06-01T00:00:00Z");
    // The compiled policy holds matchers (functions): compare what it was compiled from.
    const strip = (o: CheckOutcome) => (o.type === "verdict" ? { verdict: o.verdict, change: o.change, headPolicyErrors: o.headPolicyErrors, policy: o.policy.digest } : o);
    for (const [i, change] of revisions.entries()) {
      tree = { ...tree, ...change };
      const head = revision(`r${i}`, tree);
      const withMemo = await checkRevision({ head, base: prev, actor: null, now, cache: records, memo: memo.check });
      const again = await checkRevision({ head, base: prev, actor: null, now, cache: records, memo: memo.check });
      const without = await checkRevision({ head, base: prev, actor: null, now });
      expect(withMemo.type).toBe("verdict");
      if (withMemo.type === "verdict") findings.push(withMemo.verdict.conclusion);
      expect(strip(withMemo)).toEqual(strip(without));
      expect(strip(again)).toEqual(strip(without));
      prev = head;
    }
    // The sequence exercises both outcomes, so equal verdicts are not equal by vacuity.
    expect(new Set(findings)).toEqual(new Set(["success", "failure"]));
  });
});
