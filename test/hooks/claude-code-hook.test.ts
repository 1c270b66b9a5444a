import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { BASE_FILES, event, POLICY } from "../helpers/hook-fixtures.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * The real binary, fed PreToolUse events shaped like the ones Claude Code sends, judged in-process
 * (PLUMBLINE_HOOK_SERVER=0): the hook's behaviour. test/hooks/hook-server.test.ts shows the
 * server path answers the same bytes.
 */
const IN_PROCESS = { PLUMBLINE_HOOK_SERVER: "0" };

let repos: TestRepo[] = [];
const repo = (files: Record<string, string | null> = BASE_FILES) => {
  const r = createTestRepo(files);
  repos.push(r);
  return r;
};
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});

function hook(r: TestRepo, tool: string, input: Record<string, unknown>, args: string[] = []) {
  const out = runCli(["hook", "claude-code", ...args], { cwd: r.dir, input: event(r.dir, tool, input), env: IN_PROCESS });
  const json = out.stdout.trim() ? JSON.parse(out.stdout) : null;
  return { ...out, json, decision: json?.hookSpecificOutput?.permissionDecision ?? null, reason: (json?.hookSpecificOutput?.permissionDecisionReason ?? "") as string };
}

describe("plumbline hook claude-code", () => {
  it("denies a Write into a path agents may not change (execution-scope)", () => {
    const r = repo();
    const out = hook(r, "Write", { file_path: join(r.dir, ".github/workflows/ci.yml"), content: "on: [push, pull_request]\n" });
    expect(out.code).toBe(0);
    expect(out.json.hookSpecificOutput.hookEventName).toBe("PreToolUse");
    expect(out.decision).toBe("deny");
    expect(out.reason).toContain("agents-stay-out-of-ci");
    expect(out.reason).toContain(".github/workflows/ci.yml:1");
    expect(out.reason).toContain("why: CI changes are reviewed by humans.");
  });

  it("denies an Edit that adds an import across a boundary, naming the invariant, why, file:line and the rule", () => {
    const r = repo();
    const out = hook(r, "Edit", { file_path: join(r.dir, "src/core/a.ts"), old_string: "export const a = 1;", new_string: 'import { app } from "../github/app.js";\nexport const a = app;' });
    expect(out.decision).toBe("deny");
    expect(out.reason).toContain("core-is-pure (import-boundary) at src/core/a.ts:1");
    expect(out.reason).toContain("why: The core is evaluated everywhere");
    expect(out.reason).toContain("rule: from: src/core/**; forbid: src/github/**");
    expect(out.reason).toContain("owner @acme/platform");
  });

  it("denies `npm install left-pad` under a forbidden-dependency rule", () => {
    const r = repo();
    const out = hook(r, "Bash", { command: "npm install --save-dev left-pad@1.3.0", description: "Install left-pad" });
    expect(out.decision).toBe("deny");
    expect(out.reason).toContain("no-left-pad");
    expect(out.reason).toContain("package.json");
  });

  it("denies package installs whatever the manager, and after a cd into a workspace", () => {
    const r = repo({ ...BASE_FILES, "packages/ui/package.json": '{ "name": "ui" }\n' });
    for (const command of ["pnpm add left-pad", "yarn add -D left-pad", "bun add left-pad", "cd packages/ui && npm i left-pad"]) {
      const out = hook(r, "Bash", { command });
      expect(out.decision, command).toBe("deny");
    }
    expect(hook(r, "Bash", { command: "cd packages/ui && npm i left-pad" }).reason).toContain("packages/ui/package.json");
  });

  it("allows a clean write: exit 0 and no decision, so Claude Code's own permission rules apply", () => {
    const r = repo();
    const out = hook(r, "Write", { file_path: join(r.dir, "src/core/b.ts"), content: "export const b = 2;\n" });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("");
    expect(out.decision).toBeNull();
  });

  it("does not block an unrelated edit because of a violation that already exists", () => {
    const r = repo({ ...BASE_FILES, "src/core/old.ts": 'import { app } from "../github/app.js";\nconsole.log(app);\n' });
    const out = hook(r, "Edit", { file_path: join(r.dir, "src/core/a.ts"), old_string: "= 1", new_string: "= 2" });
    expect(out.decision).toBeNull();
    // …but editing that file so a second violation appears is blocked.
    const worse = hook(r, "Edit", { file_path: join(r.dir, "src/core/old.ts"), old_string: "console.log(app);", new_string: "console.log(app);\nconsole.log(2);" });
    expect(worse.decision).toBe("deny");
    expect(worse.reason).toContain("no-console");
  });

  it("applies MultiEdit edits in order and judges the result", () => {
    const r = repo();
    const out = hook(r, "MultiEdit", {
      file_path: join(r.dir, "src/core/a.ts"),
      edits: [
        { old_string: "export const a = 1;", new_string: "export const a = 1;\nconst x = 0;" },
        { old_string: "const x = 0;", new_string: "console.log(0);" },
      ],
    });
    expect(out.decision).toBe("deny");
    expect(out.reason).toContain("no-console (content) at src/core/a.ts:2");
  });

  it("lets an Edit whose old_string is not in the file through: the tool fails on its own", () => {
    const r = repo();
    const out = hook(r, "Edit", { file_path: join(r.dir, "src/core/a.ts"), old_string: "not there", new_string: 'import "../github/app.js";' });
    expect(out.code).toBe(0);
    expect(out.decision).toBeNull();
  });

  it("judges Bash removals, moves and redirections by the paths they change", () => {
    const r = repo();
    expect(hook(r, "Bash", { command: "rm -f .github/workflows/ci.yml" }).decision).toBe("deny");
    expect(hook(r, "Bash", { command: "git mv .github/workflows/ci.yml ci.yml.bak" }).decision).toBe("deny");
    expect(hook(r, "Bash", { command: "cat > .github/workflows/deploy.yml <<'EOF'\non: push\nEOF" }).decision).toBe("deny");
    expect(hook(r, "Bash", { command: "echo hi | tee -a .github/workflows/ci.yml" }).decision).toBe("deny");
    expect(hook(r, "Bash", { command: "ls -la && npm test" }).decision).toBeNull();
    expect(hook(r, "Bash", { command: "mv src/core/a.ts src/core/b.ts" }).decision).toBeNull();
  });

  it("judges a heredoc written through Bash by its content", () => {
    const r = repo();
    const out = hook(r, "Bash", { command: "cat <<'EOF' > src/core/c.ts\nimport { app } from \"../github/app.js\";\nexport const c = app;\nEOF\n" });
    expect(out.decision).toBe("deny");
    expect(out.reason).toContain("core-is-pure");
  });

  it("attributes the change to the agent named by --agent", () => {
    const only = POLICY.replace("actors: agents", "actors: [acme-fixer]") + "agents:\n  - id: acme-fixer\n    logins: [\"acme-fixer[bot]\"]\n";
    const r = repo({ ...BASE_FILES, "invariants/a.yml": only });
    const input = { file_path: join(r.dir, ".github/workflows/ci.yml"), content: "on: pull_request\n" };
    expect(hook(r, "Write", input).decision).toBeNull();
    const out = hook(r, "Write", input, ["--agent", "acme-fixer"]);
    expect(out.decision).toBe("deny");
    expect(out.reason).toContain("acme-fixer");
  });

  it("judges by the committed policy: loosening invariants/ in the working tree does not loosen the hook", () => {
    const r = repo();
    r.write({ "invariants/a.yml": POLICY.replace('forbid: ["src/github/**"]', 'forbid: ["src/nothing/**"]') });
    const out = hook(r, "Edit", { file_path: join(r.dir, "src/core/a.ts"), old_string: "export const a = 1;", new_string: 'import "../github/app.js";' });
    expect(out.decision).toBe("deny");
  });

  it("denies an agent's edit that weakens an invariant file", () => {
    const r = repo();
    const out = hook(r, "Write", { file_path: join(r.dir, "invariants/a.yml"), content: POLICY.replace(/  - id: no-console[\s\S]*$/, "") });
    expect(out.decision).toBe("deny");
    expect(out.reason).toContain("no-console");
  });

  it("leaves files outside the repository and directories without git alone", () => {
    const r = repo();
    const outside = mkdtempSync(join(tmpdir(), "plumbline-outside-"));
    try {
      expect(hook(r, "Write", { file_path: join(outside, "notes.md"), content: "console.log(1)" }).code).toBe(0);
      const plain = runCli(["hook", "claude-code"], { cwd: outside, input: event(outside, "Write", { file_path: join(outside, "a.ts"), content: "x" }), env: IN_PROCESS });
      expect(plain.code).toBe(0);
      expect(plain.stdout).toBe("");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("ignores tools it does not judge", () => {
    const r = repo();
    const out = hook(r, "Read", { file_path: join(r.dir, "src/core/a.ts") });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("");
  });

  it("blocks with exit 2 and a reason on stderr when the event is malformed (fail closed)", () => {
    const r = repo();
    const bad = runCli(["hook", "claude-code"], { cwd: r.dir, input: "{ not json", env: IN_PROCESS });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("not valid JSON");
    expect(bad.stderr).toContain("fail closed");
    const shape = runCli(["hook", "claude-code"], { cwd: r.dir, input: event(r.dir, "Write", { file_path: 42 }), env: IN_PROCESS });
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain("file_path");
  });

  it("denies with the reason when the committed policy is invalid or unreadable (fail closed)", () => {
    const invalid = repo({ ...BASE_FILES, "invariants/a.yml": "version: 1\ninvariants:\n  - id: x\n    kind: no-such-kind\n    why: y\n" });
    const out = hook(invalid, "Write", { file_path: join(invalid.dir, "src/core/b.ts"), content: "export const b = 1;\n" });
    expect(out.decision).toBe("deny");
    expect(out.reason).toContain("invariants/a.yml:4");
    expect(out.reason).toContain("fails closed");

    const unreadable = repo({ ...BASE_FILES, "invariants/a.yml": null, "policy.yml": POLICY });
    mkdirSync(join(unreadable.dir, "invariants"));
    symlinkSync("../policy.yml", join(unreadable.dir, "invariants/a.yml"));
    unreadable.commit({}, "policy as a symlink");
    const sym = hook(unreadable, "Write", { file_path: join(unreadable.dir, "src/core/b.ts"), content: "export const b = 1;\n" });
    expect(sym.decision).toBe("deny");
    expect(sym.reason).toContain("invariants/a.yml");
    expect(sym.reason).toContain("symlink");
  });

  it("keeps the per-file record cache under .git/plumbline/", () => {
    const r = repo();
    hook(r, "Write", { file_path: join(r.dir, "src/core/b.ts"), content: "export const b = 2;\n" });
    expect(readFileSync(join(r.dir, ".git/plumbline/records.ndjson"), "utf8")).toContain("module-records");
  });
});
