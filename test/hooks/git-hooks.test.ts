import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { runCli } from "../helpers/run-cli.js";

const POLICY = `version: 1
invariants:
  - id: no-console
    kind: content
    why: Findings are data; printing belongs to adapters.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
`;

const ENV = { GIT_AUTHOR_NAME: "Test Human", GIT_AUTHOR_EMAIL: "human@example.com", GIT_COMMITTER_NAME: "Test Human", GIT_COMMITTER_EMAIL: "human@example.com" };

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function repo(files: Record<string, string> = { "invariants/a.yml": POLICY, "src/a.ts": "export const a = 1;\n" }): TestRepo {
  const r = createTestRepo(files);
  cleanups.push(() => r.cleanup());
  return r;
}

/** A commit through git itself, so the installed hooks run; returns what git said. */
function commit(r: TestRepo, files: Record<string, string>, message = "change", extra: string[] = []) {
  r.write(files);
  r.git("add", "-A");
  return spawnSync("git", ["commit", "-q", "-m", message, ...extra], { cwd: r.dir, encoding: "utf8", env: { ...process.env, ...ENV } });
}

function push(r: TestRepo, ...args: string[]) {
  return spawnSync("git", ["push", ...args], { cwd: r.dir, encoding: "utf8", env: { ...process.env, ...ENV } });
}

const lastMessage = (r: TestRepo) => r.git("log", "-1", "--format=%B");

describe("plumbline hooks install", () => {
  it("is idempotent: installing twice leaves one invocation per hook, and a foreign hook is chained once", () => {
    const r = repo();
    writeFileSync(join(r.dir, ".git/hooks/pre-commit"), `#!/bin/sh\necho ran >> "${join(r.dir, ".git/foreign.log")}"\n`, { mode: 0o755 });
    const first = runCli(["hooks", "install", r.dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/chained\s+pre-commit/);
    expect(first.stdout).toMatch(/installed\s+pre-push/);
    const second = runCli(["hooks", "install", r.dir]);
    expect(second.stdout).toMatch(/unchanged\s+pre-commit/);
    for (const hook of ["pre-commit", "prepare-commit-msg", "pre-push"]) {
      const text = readFileSync(join(r.dir, ".git/hooks", hook), "utf8");
      expect(text.match(new RegExp(`hooks run ${hook}`, "g"))?.length, hook).toBe(2); // the local bin, and the PATH fallback
      expect(text.match(/plumbline-managed-hook/g)?.length).toBe(1);
    }
    expect(commit(r, { "src/b.ts": "export const b = 2;\n" }).status).toBe(0);
    expect(readFileSync(join(r.dir, ".git/foreign.log"), "utf8")).toBe("ran\n");
  });

  it("refuses a commit that introduces a violation", () => {
    const r = repo();
    runCli(["hooks", "install", r.dir]);
    const out = commit(r, { "src/b.ts": "console.log('debug');\n" });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain("src/b.ts:1");
    expect(out.stderr).toContain("commit refused by the pre-commit hook");
    expect(r.git("log", "--format=%s")).toBe("initial");
  });

  it("judges the staged bytes, not the working tree", () => {
    const r = repo();
    runCli(["hooks", "install", r.dir]);
    r.write({ "src/b.ts": "console.log('staged');\n" });
    r.git("add", "src/b.ts");
    r.write({ "src/b.ts": "export const fixedOnlyOnDisk = 1;\n" });
    const out = spawnSync("git", ["commit", "-q", "-m", "staged violation"], { cwd: r.dir, encoding: "utf8", env: { ...process.env, ...ENV } });
    expect(out.status).not.toBe(0);
    expect(runCli(["check", r.dir, "--staged", "--base", "HEAD"]).code).toBe(1);
  });

  it("lets a clean commit through with a Plumbline-Checked trailer carrying the policy digest", () => {
    const r = repo();
    runCli(["hooks", "install", r.dir]);
    expect(commit(r, { "src/b.ts": "export const b = 2;\n" }, "Add b").status).toBe(0);
    const digest = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout).policy.digest;
    expect(lastMessage(r)).toBe(`Add b\n\nPlumbline-Checked: ${digest}`);
  });

  it("adds no trailer to a commit made with --no-verify", () => {
    const r = repo();
    runCli(["hooks", "install", r.dir]);
    expect(commit(r, { "src/b.ts": "console.log(1);\n" }, "Sneak it in", ["--no-verify"]).status).toBe(0);
    expect(lastMessage(r)).toBe("Sneak it in");
  });

  it("pre-push refuses a range that introduces a violation, and accepts a clean one", () => {
    const remote = mkdtempSync(join(tmpdir(), "plumbline-remote-"));
    cleanups.push(() => rmSync(remote, { recursive: true, force: true }));
    spawnSync("git", ["init", "-q", "--bare", "-b", "main", remote]);
    const r = repo({ "invariants/a.yml": POLICY, "src/a.ts": "console.log('persisting');\n" });
    r.git("remote", "add", "origin", remote);
    runCli(["hooks", "install", r.dir]);
    // A persisting violation does not block: only what the pushed range introduces does.
    expect(push(r, "-q", "origin", "main").status).toBe(0);
    expect(commit(r, { "src/b.ts": "export const b = 2;\n" }).status).toBe(0);
    expect(push(r, "-q", "origin", "main").status).toBe(0);

    expect(commit(r, { "src/c.ts": "console.log('new');\n" }, "bypass", ["--no-verify"]).status).toBe(0);
    const refused = push(r, "origin", "main");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("src/c.ts:1");
    expect(refused.stderr).toContain("push of refs/heads/main refused");

    // A new branch is judged from where it left the default branch.
    r.git("checkout", "-q", "-b", "feature", "origin/main");
    expect(commit(r, { "src/d.ts": "console.log('feature');\n" }, "feature", ["--no-verify"]).status).toBe(0);
    const branch = push(r, "origin", "feature");
    expect(branch.status).not.toBe(0);
    expect(branch.stderr).toContain("src/d.ts:1:1 introduced BLOCKING");
    expect(branch.stderr).toContain("src/a.ts:1:1 persisting");
    expect(branch.stderr).toContain("FAILED (1 blocking finding)");
  });

  it("uninstall removes its hooks and restores a chained one", () => {
    const r = repo();
    const foreign = "#!/bin/sh\nexit 0\n";
    writeFileSync(join(r.dir, ".git/hooks/pre-commit"), foreign, { mode: 0o755 });
    runCli(["hooks", "install", r.dir]);
    const out = runCli(["hooks", "uninstall", r.dir]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/restored\s+pre-commit/);
    expect(readFileSync(join(r.dir, ".git/hooks/pre-commit"), "utf8")).toBe(foreign);
    expect(existsSync(join(r.dir, ".git/hooks/pre-push"))).toBe(false);
  });
});
