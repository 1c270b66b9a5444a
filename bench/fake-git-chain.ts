import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { FakeGitHub } from "../test/fake-github/index.js";
import { git } from "../test/fake-github/run-git.js";

/**
 * Thousands of pushes per minute, prepared ahead. `fake.commit` spawns ~6 git processes per
 * commit and `fake.push` several more to build the payload: at 100 pushes/s that would load
 * this machine more than the app under test. So load tools write each repository's commits
 * in one `git fast-import` run beforehand and, at push time, only move the branch (one loose
 * ref file) and send a templated payload. The fake keeps its bare repositories private; this
 * file is the only place that reaches in, read-only apart from those objects and refs.
 */

interface FakeInternals {
  core: { state: { requireRepo(name: string): { store: { gitDir: string } } } };
}

export function fakeGitDir(fake: FakeGitHub, repo: string): string {
  return (fake as unknown as FakeInternals).core.state.requireRepo(repo).store.gitDir;
}

/** The loose ref file of a branch; writing a SHA into it (lock + rename) moves the branch. */
export function branchRefFile(gitDir: string, branch: string): string {
  const file = join(gitDir, "refs", "heads", branch);
  mkdirSync(dirname(file), { recursive: true });
  return file;
}

export interface ChainCommit {
  readonly path: string;
  readonly content: string;
  readonly message: string;
}

/**
 * Writes a linear chain of commits on top of `parent` (each changing one file) and returns
 * their SHAs in order. No branch moves: fast-import's ref is a private `refs/bench/` name.
 */
export async function writeChain(gitDir: string, parent: string, commits: readonly ChainCommit[], chainName = "chain"): Promise<string[]> {
  if (commits.length === 0) return [];
  const parts: Buffer[] = [];
  const data = (s: string) => {
    const b = Buffer.from(s);
    parts.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from("\n"));
  };
  commits.forEach((c, i) => {
    parts.push(Buffer.from(`commit refs/bench/${chainName}\nmark :${i + 1}\ncommitter Bench <bench@plumbline.invalid> ${1_704_067_200 + i} +0000\n`));
    data(c.message);
    if (i === 0) parts.push(Buffer.from(`from ${parent}\n`));
    parts.push(Buffer.from(`M 100644 inline ${c.path}\n`));
    data(c.content);
  });
  const tmp = mkdtempSync(join(tmpdir(), "plumbline-chain-"));
  try {
    const marks = join(tmp, "marks");
    await git(gitDir, ["fast-import", "--quiet", `--export-marks=${marks}`], { input: Buffer.concat(parts) });
    const shas: string[] = [];
    for (const line of readFileSync(marks, "utf8").split("\n")) {
      const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
      if (m) shas[Number(m[1]) - 1] = m[2]!;
    }
    if (shas.length !== commits.length || shas.some((s) => !s)) throw new Error(`fast-import wrote ${shas.length} of ${commits.length} commits`);
    return shas;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
