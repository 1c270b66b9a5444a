import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitFor, type Harness } from "../helpers/app-harness.js";
import { CORE_IS_PURE, HUMAN, policyOf } from "../helpers/policies.js";

let h: Harness;
const repo = "acme/layers";

/** 3 layers × 4 modules × 5 files under src/, each a few folders deep. */
function tree(): Record<string, string> {
  const files: Record<string, string> = { "invariants/architecture.yml": policyOf(CORE_IS_PURE), "src/adapters/db.ts": "export const db = 1;\n" };
  for (const layer of ["core", "app", "ui"]) for (let m = 0; m < 4; m++) for (let f = 0; f < 5; f++) files[`src/${layer}/m${m}/sub/f${f}.ts`] = `export const v${f} = ${f};\n`;
  return files;
}

beforeAll(async () => {
  h = await startHarness();
  await h.fake.createRepo(h.installationId, { owner: "acme", name: "layers" });
  await h.fake.commit(repo, { branch: "main", message: "init", files: tree() });
}, 60_000);
afterAll(async () => h?.close());

const completedRun = (sha: string) => waitFor(`a completed run on ${sha.slice(0, 7)}`, () => h.fake.checkRuns(repo, sha).find((r) => r.status === "completed"));

describe("a worker's warm push", () => {
  it("lists only the changed path, reads only the changed blob, and still finds the violation it introduces", async () => {
    const first = await h.fake.push(repo, { branch: "main", message: "touch", sender: HUMAN, files: { "src/ui/m0/sub/f0.ts": "export const v0 = 'ui';\n" } });
    expect((await completedRun(first.sha)).conclusion).toBe("success");
    // The first verdict on main starts the audit schedule; its first tick is one interval (6 h) away, so no audit's requests mix in below.

    const start = h.fake.requests.length;
    const { sha } = await h.fake.push(repo, { branch: "main", message: "reach into adapters", sender: HUMAN, files: { "src/core/m2/sub/f3.ts": "import { db } from '../../../adapters/db';\nexport const v3 = db;\n" } });
    const run = await completedRun(sha);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: "src/core/m2/sub/f3.ts", start_line: 1, annotation_level: "failure" }));
    const seen = h.fake.requests.slice(start).filter((r) => r.installationId === h.installationId);
    const trees = seen.filter((r) => r.path.includes("/git/trees/"));
    // The new commit's root, then src, src/core, src/core/m2, src/core/m2/sub: never the whole tree.
    expect(trees.filter((r) => r.url.includes("recursive"))).toEqual([]);
    expect(trees).toHaveLength(5);
    expect(seen.filter((r) => r.path.includes("/git/blobs/"))).toHaveLength(1);
    expect(seen.filter((r) => r.path.includes("/tarball/"))).toEqual([]);
    expect(h.fake.unexpectedRequests).toEqual([]);
  });
});
