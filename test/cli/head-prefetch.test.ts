import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/check-command.js";
import { prefetchHead } from "../../src/cli/head-prefetch.js";
import type { Io } from "../../src/cli/io.js";
import { createTestRepo } from "../helpers/git-repo.js";

const repo = createTestRepo({
  "invariants/layers.yml": `version: 1\ninvariants:\n  - id: core-is-pure\n    kind: import-boundary\n    why: The core is evaluated everywhere.\n    from: ["src/core/**"]\n    forbid: ["src/adapters/**"]\n`,
  "src/core/a.ts": `import { b } from "../adapters/b";\nexport const a = b;\n`,
  "src/adapters/b.ts": `export const b = 1;\n`,
});
const notRepo = mkdtempSync(join(tmpdir(), "plumbline-not-a-repo-"));
afterAll(() => {
  repo.cleanup();
  rmSync(notRepo, { recursive: true, force: true });
});

const run = async (args: string[], prefetch: ReturnType<typeof prefetchHead>) => {
  let out = "";
  const io: Io = { cwd: repo.dir, stdout: (t) => void (out += t), stderr: () => {}, now: () => new Date("2026-11-27T00:00:00Z") };
  const code = await checkCommand(args, io, prefetch);
  const report = JSON.parse(out) as { findings: Array<{ path: string }>; change: unknown };
  return { code, findings: report.findings.map((f) => f.path) };
};

describe("the launcher's HEAD prefetch", () => {
  it("asks nothing for arguments that do not check HEAD of one directory", () => {
    for (const args of [["--worktree"], ["--staged"], ["--help"], ["a", "b"], ["--no-such-option"]]) expect(prefetchHead(args, repo.dir)).toBeNull();
  });

  it("answers null, never rejects, outside a repository", async () => {
    const pre = prefetchHead([notRepo], repo.dir)!;
    expect(pre.dir).toBe(notRepo);
    expect(await pre.context).toBeNull();
    expect(await pre.prelisted).toBeNull();
  });

  it("gives the verdict of HEAD as it was when asked, even when HEAD moves before the check reads it", async () => {
    const pre = prefetchHead([repo.dir, "--format", "json"], "/")!;
    const head = repo.git("rev-parse", "HEAD");
    expect((await pre.context)?.head).toBe(head);
    expect((await pre.prelisted)?.commit).toBe(head);
    const before = await run([repo.dir, "--format", "json"], null);
    expect(before).toEqual({ code: 1, findings: ["src/core/a.ts"] });
    // HEAD moves (the violation is fixed) after the prefetch asked: the prefetched check judges the HEAD it saw.
    repo.commit({ "src/core/a.ts": "export const a = 1;\n" }, "fix");
    expect(await run([repo.dir, "--format", "json"], pre)).toEqual(before);
    expect(await run([repo.dir, "--format", "json"], null)).toEqual({ code: 0, findings: [] });
    // A prefetch for another directory is not used.
    expect(await run([repo.dir, "--format", "json"], prefetchHead([notRepo], "/"))).toEqual({ code: 0, findings: [] });
  });
});
