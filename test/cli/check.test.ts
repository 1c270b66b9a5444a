import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { runCli } from "../helpers/run-cli.js";

const policy = (extra = "") => `version: 1
invariants:
  - id: no-console
    kind: content
    why: Findings are data; printing belongs to adapters.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
  - id: no-eval
    kind: content
    why: eval defeats review.
    enforcement: warn
    files: ["src/**/*.ts"]
    forbid: '\\beval\\('
${extra}`;

let repos: TestRepo[] = [];
const repo = (files: Record<string, string | null>) => {
  const r = createTestRepo(files);
  repos.push(r);
  return r;
};
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});

describe("plumbline check", () => {
  it("exits 0 with a notice when the repository has no invariants", () => {
    const r = repo({ "src/a.ts": "console.log(1)\n" });
    const out = runCli(["check", r.dir]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("no invariant files");
  });

  it("exits 1 on a block finding and prints file:line with the why", () => {
    const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "const x = 1;\n\nconsole.log(x)\n" });
    const out = runCli(["check", r.dir]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("src/a.ts:3:1");
    expect(out.stdout).toContain("why: Findings are data");
    expect(out.stdout).toMatch(/✗ no-console/);
  });

  it("exits 0 when only warn findings exist", () => {
    const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "eval('1')\n" });
    const out = runCli(["check", r.dir, "--format", "json"]);
    expect(out.code).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.conclusion).toBe("success");
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ invariant: "no-eval", enforcement: "warn", status: "present", path: "src/a.ts", line: 1, blocking: false });
  });

  it("reads the committed tree by default and the working tree with --worktree", () => {
    const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "ok()\n" });
    r.write({ "src/b.ts": "console.log(2)\n" });
    expect(runCli(["check", r.dir]).code).toBe(0);
    expect(runCli(["check", r.dir, "--worktree"]).code).toBe(1);
  });

  it("json output documents invariants with coverage and findings with fingerprints", () => {
    const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "console.log(1)\n", "src/b.ts": "ok\n" });
    const json = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout);
    expect(json).toMatchObject({ version: 1, exitCode: 1, conclusion: "failure" });
    expect(json.policy.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(json.invariants.find((i: { id: string }) => i.id === "no-console")).toMatchObject({ status: "fail", coverage: { unit: "files", matched: 2 }, vacuous: false });
    expect(json.findings[0].fingerprint).toMatch(/^[0-9a-f]{20}$/);
  });

  it("fingerprints survive line shifts", () => {
    const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "console.log(1)\n" });
    const before = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout).findings[0];
    r.commit({ "src/a.ts": "// header\n\n\nconsole.log(1)\n" });
    const after = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout).findings[0];
    expect(after.line).toBe(4);
    expect(after.fingerprint).toBe(before.fingerprint);
  });

  it("caches per-file extraction by blob id: an unchanged file is never parsed twice", () => {
    const boundary = `version: 1\ninvariants:\n  - id: layers\n    kind: import-boundary\n    why: w\n    from: ["src/core/**"]\n    forbid: ["src/adapters/**"]\n`;
    const files: Record<string, string> = { "invariants/a.yml": boundary };
    for (let i = 0; i < 20; i++) files[`src/core/m${i}.ts`] = `import { x } from "./m${(i + 1) % 20}";\nexport const y${i} = 1;\n`;
    const r = repo(files);
    const cold = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout);
    expect(cold.parse).toEqual({ parsed: 20, cached: 0 });
    const warm = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout);
    expect(warm.parse).toEqual({ parsed: 0, cached: 20 });
    r.commit({ "src/core/m3.ts": "export const changed = 1;\n" });
    const one = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout);
    expect(one.parse).toEqual({ parsed: 1, cached: 19 });
    expect(JSON.parse(runCli(["check", r.dir, "--format", "json", "--no-cache"]).stdout).parse).toEqual({ parsed: 20, cached: 0 });
  });

  it("a file nested deep enough to crash the parser is one finding, and the rest of the check still runs", () => {
    const boundary = `version: 1\ninvariants:\n  - id: layers\n    kind: import-boundary\n    why: w\n    from: ["src/core/**"]\n    forbid: ["src/adapters/**"]\n`;
    // oxc 0.158 dies (native stack overflow) at ~10–14k of these on an 8 MB stack; both files stay under the 1 MiB cap.
    const n = 100_000;
    const r = repo({
      "invariants/a.yml": boundary,
      "src/core/a.ts": `import { c } from "../adapters/c";\nexport const a = c;\n`,
      "src/adapters/c.ts": `export const c = 1;\n`,
      "src/core/deep.tsx": `import { c } from "../adapters/c";\nexport const x = ${"`${".repeat(n)}1${"}`".repeat(n)};\n`,
      "src/core/deep.ts": `export type X = ${"A<B, ".repeat(n)}1${">".repeat(n)};\n`,
    });
    const out = runCli(["check", r.dir, "--format", "json"]);
    expect(out.code, out.stderr).toBe(1);
    const json = JSON.parse(out.stdout);
    expect(json.findings.map((f: { path: string }) => f.path)).toEqual(["src/core/a.ts"]);
    const unparsable = json.notices.filter((x: { code: string }) => x.code === "snapshot.unparsable");
    expect(unparsable.map((x: { path: string; line: number }) => [x.path, x.line])).toEqual([
      ["src/core/deep.ts", 1],
      ["src/core/deep.tsx", 2],
    ]);
    for (const x of unparsable) expect(x.message).toContain("nests deeper than 2000 levels");
    const text = runCli(["check", r.dir]);
    expect(text.code).toBe(1);
    expect(text.stdout + text.stderr).toContain("nests deeper than 2000 levels");
  });

  it("sarif output is SARIF 2.1.0 with rules, locations and fingerprints", () => {
    const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "console.log(1)\n" });
    const sarif = JSON.parse(runCli(["check", r.dir, "--format", "sarif"]).stdout);
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe("Plumbline");
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(["no-console", "no-eval"]);
    expect(run.results[0]).toMatchObject({ ruleId: "no-console", level: "error", locations: [{ physicalLocation: { artifactLocation: { uri: "src/a.ts" }, region: { startLine: 1 } } }] });
    expect(run.results[0].partialFingerprints["plumbline/v1"]).toBeTruthy();
  });

  describe("--base", () => {
    it("blocks only introduced findings; persisting ones are listed", () => {
      const r = repo({ "invariants/a.yml": policy(), "src/old.ts": "console.log('old')\n" });
      const base = r.git("rev-parse", "HEAD");
      r.commit({ "src/new.ts": "fine()\n" });
      const clean = JSON.parse(runCli(["check", r.dir, "--base", base, "--format", "json"]).stdout);
      expect(clean.exitCode).toBe(0);
      expect(clean.findings.map((f: { status: string }) => f.status)).toEqual(["persisting"]);
      r.commit({ "src/new.ts": "console.log('new')\n" });
      const dirty = JSON.parse(runCli(["check", r.dir, "--base", base, "--format", "json"]).stdout);
      expect(dirty.exitCode).toBe(1);
      expect(dirty.findings.map((f: { path: string; status: string }) => `${f.path} ${f.status}`).sort()).toEqual(["src/new.ts introduced", "src/old.ts persisting"]);
    });

    it("judges with the base policy, shows the policy diff and flags weakening", () => {
      const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "ok()\n" });
      const base = r.git("rev-parse", "HEAD");
      // The change adds a violation and deletes the rule that would catch it.
      r.commit({ "invariants/a.yml": policy().split("  - id: no-eval")[0]!.replace(/  - id: no-console[\s\S]*/, "  - id: no-eval\n    kind: content\n    why: eval defeats review.\n    files: [\"src/**/*.ts\"]\n    forbid: 'eval'\n"), "src/a.ts": "console.log(1)\n" });
      const out = runCli(["check", r.dir, "--base", base, "--format", "json"]);
      const json = JSON.parse(out.stdout);
      expect(json.exitCode).toBe(1);
      expect(json.findings[0]).toMatchObject({ invariant: "no-console", status: "introduced" });
      expect(json.policyDiff).toContainEqual(expect.objectContaining({ invariant: "no-console", change: "removed", direction: "weaker" }));
      expect(json.notices.map((n: { code: string }) => n.code)).toContain("remediation.weakening");
    });

    it("reports a remediation that fixes one rule by breaking another", () => {
      const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "console.log(1)\n" });
      const base = r.git("rev-parse", "HEAD");
      r.commit({ "src/a.ts": "eval('console' + '.log(1)')\n" });
      const json = JSON.parse(runCli(["check", r.dir, "--base", base, "--format", "json"]).stdout);
      const note = json.notices.find((n: { code: string }) => n.code === "remediation.broke-another");
      expect(note.message).toContain("resolves `no-console` but introduces `no-eval`");
      expect(json.findings.find((f: { status: string }) => f.status === "resolved")).toMatchObject({ invariant: "no-console" });
    });

    it("a waiver added by the change does not hide its own violation", () => {
      const r = repo({ "invariants/a.yml": policy(), "src/a.ts": "ok()\n" });
      const base = r.git("rev-parse", "HEAD");
      const waiver = "waivers:\n  - invariant: no-console\n    path: src/a.ts\n    reason: debugging\n    owner: '@me'\n    expires: 2099-01-01\n";
      r.commit({ "invariants/a.yml": policy() + waiver, "src/a.ts": "console.log(1)\n" });
      const json = JSON.parse(runCli(["check", r.dir, "--base", base, "--format", "json"]).stdout);
      expect(json.exitCode).toBe(1);
      expect(json.policyDiff).toContainEqual(expect.objectContaining({ change: "waiver-added", direction: "weaker" }));
      expect(json.notices.map((n: { code: string }) => n.code)).toContain("remediation.weakening");
    });
  });

  describe("waivers and coverage", () => {
    const waiver = (expires: string, path = "src/legacy.ts") => `waivers:\n  - invariant: no-console\n    path: ${path}\n    reason: Legacy logger until the rewrite.\n    owner: '@alice'\n    expires: ${expires}\n`;

    it("an active waiver hides the finding", () => {
      const r = repo({ "invariants/a.yml": policy(waiver("2099-12-31")), "src/legacy.ts": "console.log(1)\n" });
      const json = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout);
      expect(json.exitCode).toBe(0);
      expect(json.findings[0].waiver).toMatchObject({ owner: "@alice", expires: "2099-12-31" });
    });

    it("an expired waiver stops applying and is reported", () => {
      const r = repo({ "invariants/a.yml": policy(waiver("2020-01-01")), "src/legacy.ts": "console.log(1)\n" });
      const json = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout);
      expect(json.exitCode).toBe(1);
      expect(json.notices.map((n: { code: string }) => n.code)).toContain("waiver.expired");
    });

    it("a waiver that matches no finding is reported as unneeded", () => {
      const r = repo({ "invariants/a.yml": policy(waiver("2099-12-31", "src/gone.ts")), "src/a.ts": "ok\n" });
      const json = JSON.parse(runCli(["check", r.dir, "--format", "json"]).stdout);
      expect(json.notices).toContainEqual(expect.objectContaining({ code: "waiver.unneeded", path: "invariants/a.yml", line: 15 }));
    });

    it("a rule whose selectors match nothing is reported as vacuous", () => {
      const r = repo({ "invariants/a.yml": policy(), "lib/a.ts": "console.log(1)\n" });
      const out = runCli(["check", r.dir]);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain("(VACUOUS)");
      expect(out.stdout).toContain("match no files: the rule proves nothing");
    });
  });

  describe("bad input exits 2 with file:line", () => {
    it.each([
      ["malformed YAML", "version: 1\ninvariants: [\n", "invariants/a.yml:3"],
      ["unknown kind", "version: 1\ninvariants:\n  - id: a\n    kind: nope\n    why: w\n", "invariants/a.yml:4:11 invariants[0].kind: expected a known kind"],
      ["unknown key", policy() + "    severity: high\n", "invariants/a.yml:14:5 invariants[1].severity"],
      ["non-RE2 regex", policy().replace("'console\\.log'", "'(?=x)'"), "invariants/a.yml:7"],
      ["bad glob", policy().replace('"src/**/*.ts"', '"src/{a,b"'), "invariants/a.yml:6"],
      ["alias bomb", "version: 1\na: &a [x, x]\nb: &b [*a, *a]\ninvariants: *b\n", "invariants/a.yml:2"],
      ["__proto__ key", "version: 1\ninvariants: []\n__proto__: {polluted: true}\n", "invariants/a.yml:3"],
    ])("%s", (_name, text, where) => {
      const r = repo({ "invariants/a.yml": text, "src/a.ts": "x\n" });
      const out = runCli(["check", r.dir]);
      expect(out.code).toBe(2);
      expect(out.stdout).toContain(where);
    });

    it("an oversized invariant file", () => {
      const r = repo({ "invariants/a.yml": "version: 1\n#" + "x".repeat(10 * 1024 * 1024) + "\n" });
      const out = runCli(["check", r.dir]);
      expect(out.code).toBe(2);
      expect(out.stdout).toMatch(/invariants\/a\.yml:1:1 expected an invariant file of at most \d+ bytes/);
    });

    it("an unreadable (dangling symlink) invariant file in the working tree", () => {
      const r = repo({ "invariants/a.yml": policy() });
      symlinkSync(join(r.dir, "nowhere.yml"), join(r.dir, "invariants", "b.yml"));
      const out = runCli(["check", r.dir, "--worktree"]);
      expect(out.code).toBe(2);
      expect(out.stdout).toContain("invariants/b.yml:1:1");
    });

    it("an invariant file that is not UTF-8", () => {
      const r = repo({ "invariants/a.yml": policy() });
      writeFileSync(join(r.dir, "invariants", "b.yml"), Buffer.from([0x76, 0x3a, 0xff, 0xfe, 0x0a]));
      r.commit({});
      const out = runCli(["check", r.dir]);
      expect(out.code).toBe(2);
      expect(out.stdout).toContain("invariants/b.yml:1:1 expected UTF-8 text");
    });

    it.each([
      [["check", "--format", "xml"], "--format must be text, json or sarif"],
      [["check", "--base", "no-such-rev"], "cannot resolve --base no-such-rev"],
      [["check", "--bogus"], "Unknown option"],
      [["frobnicate"], "unknown command `frobnicate`"],
    ])("usage error %j", (args, message) => {
      const r = repo({ "invariants/a.yml": policy() });
      const out = runCli(args as string[], { cwd: r.dir });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(message);
    });

    it("a repository without a commit: HEAD named as what cannot be resolved, from the repository and from a subdirectory", () => {
      const dir = mkdtempSync(join(tmpdir(), "plumbline-unborn-"));
      execFileSync("git", ["init", "-q", dir]);
      mkdirSync(join(dir, "sub"));
      for (const cwd of [dir, join(dir, "sub")]) {
        const out = runCli(["check"], { cwd });
        expect(out.code).toBe(2);
        expect(out.stderr).toContain("cannot resolve HEAD to a commit");
      }
      // --worktree needs no commit: it reads the files as they are (none here: no invariants).
      expect(runCli(["check", "--worktree", dir]).code).toBe(0);
    });

    it("a directory that is not a git repository", () => {
      const out = runCli(["check", "/"]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain("is not inside a git repository");
    });
  });
});
