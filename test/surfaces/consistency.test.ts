import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import { actorSignals } from "../../src/cli/git-context.js";
import { evaluateIntendedChange } from "../../src/hooks/evaluate-intended-change.js";
import { openRepo } from "../../src/hooks/repo-state.js";
import { openWarmRepo } from "../../src/hooks/warm-repo.js";
import { emptyChange } from "../../src/hooks/intended-change.js";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * One change, three surfaces, one answer: the CLI (`check --base`) on the committed change, the
 * agent hook's evaluation core (fresh, and from the hook server's warm state) and MCP
 * `check_change` on the same change still uncommitted must report identical findings,
 * fingerprints and statuses.
 */

interface Scenario {
  readonly name: string;
  readonly base: Record<string, string>;
  readonly head: Record<string, string>;
  readonly login: string;
  readonly branch: string;
  /** Built scenarios exist to produce findings; some fixtures (an agent staying in scope) rightly produce none. */
  readonly expectFindings: boolean;
}

const BIN = join(import.meta.dirname, "..", "..", "bin", "plumbline.js");
const CASES = join(import.meta.dirname, "..", "cases");

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[relative(dir, full).split(sep).join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}

function fixtureScenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const kind of readdirSync(CASES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const c of readdirSync(join(CASES, kind.name), { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const dir = join(CASES, kind.name, c.name);
      if (!existsSync(join(dir, "base"))) continue;
      const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as { actor?: { sender?: { login: string }; branch?: string } };
      out.push({ name: `${kind.name}/${c.name}`, base: readTree(join(dir, "base")), head: readTree(join(dir, "repo")), login: spec.actor?.sender?.login ?? "alice", branch: spec.actor?.branch ?? "main", expectFindings: false });
    }
  }
  return out;
}

const POLICY = `version: 1
invariants:
  - id: core-is-pure
    kind: import-boundary
    why: The core must not reach adapters.
    from: ["src/core/**"]
    forbid: ["src/github/**", "ioredis"]
  - id: no-left-pad
    kind: forbidden-dependency
    why: Known bad package.
    packages: ["left-pad", "lodash@<4.17.21"]
  - id: sql-in-repositories
    kind: data-access
    why: Queries live in repositories.
    modules: ["pg"]
    patterns: ['\\bSELECT\\b[\\s\\S]+?\\bFROM\\b']
    allow: ["src/repositories/**"]
  - id: no-console
    kind: content
    why: Print through the logger.
    enforcement: warn
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
  - id: agents-stay-out-of-ci
    kind: execution-scope
    why: Humans review CI.
    actors: agents
    deny: [".github/workflows/**", "invariants/**"]
`;

const BASE = {
  "invariants/a.yml": POLICY,
  "package.json": '{\n  "name": "demo",\n  "dependencies": { "lodash": "^4.17.21" }\n}\n',
  "src/core/a.ts": 'import { b } from "./b.js";\nexport const a = b;\n',
  "src/core/b.ts": "export const b = 1;\nconsole.log(b);\n",
  "src/core/legacy.ts": 'import { app } from "../github/app.js";\nexport const l = app;\n',
  "src/github/app.ts": "export const app = 1;\n",
  "src/repositories/users.ts": 'export const q = "SELECT id FROM users";\n',
  ".github/workflows/ci.yml": "on: push\n",
};

const BUILT: Scenario[] = [
  {
    name: "import boundary introduced next to a persisting one, cycle-free edit elsewhere",
    base: BASE,
    head: { ...BASE, "src/core/a.ts": 'import { b } from "./b.js";\nimport { Redis } from "ioredis";\nimport { app } from "../github/app.js";\nexport const a = [b, app, Redis];\n' },
    login: "claude[bot]",
    branch: "claude/refactor",
    expectFindings: true,
  },
  {
    name: "dependencies: a forbidden package and a forbidden version enter the manifest",
    base: BASE,
    head: { ...BASE, "package.json": '{\n  "name": "demo",\n  "dependencies": { "lodash": "4.17.20", "left-pad": "^1.3.0" }\n}\n' },
    login: "alice",
    branch: "main",
    expectFindings: true,
  },
  {
    name: "raw SQL outside repositories, a resolved console.log and a new one, a moved file",
    base: BASE,
    head: (() => {
      const { "src/core/b.ts": _b, "src/repositories/users.ts": users, ...rest } = BASE;
      return { ...rest, "src/core/b.ts": "export const b = 1;\n", "src/core/c.ts": "console.log('c');\n", "src/services/users.ts": users, "src/services/report.ts": 'export const r = "SELECT * FROM orders WHERE x";\n' };
    })(),
    login: "copilot-swe-agent[bot]",
    branch: "copilot/sql",
    expectFindings: true,
  },
  {
    name: "an agent edits CI and loosens the invariants",
    base: BASE,
    head: { ...BASE, ".github/workflows/ci.yml": "on: [push]\n", "invariants/a.yml": POLICY.replace('forbid: ["src/github/**", "ioredis"]', 'forbid: ["ioredis"]') },
    login: "claude[bot]",
    branch: "main",
    expectFindings: true,
  },
];

type Row = { invariant: string; code: string; path: string; line: number; fingerprint: string; status: string };
const rows = (findings: readonly Row[]) => findings.map((f) => `${f.invariant} ${f.code} ${f.path}:${f.line} ${f.fingerprint} ${f.status}`).sort();

let repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});

describe.each([...fixtureScenarios(), ...BUILT])("one change, three surfaces: $name", (s) => {
  it("CLI --base, hook core and MCP check_change agree on every finding", async () => {
    const r = createTestRepo();
    repos.push(r);
    if (s.branch !== "main") r.git("checkout", "-q", "-b", s.branch);
    const base = r.commit(s.base, "base");

    // The change, as an agent would make it: full new contents, deletions as null.
    const changes = [
      ...Object.entries(s.head).filter(([p, text]) => s.base[p] !== text).map(([path, content]) => ({ path, content: content as string | null })),
      ...Object.keys(s.base).filter((p) => !(p in s.head)).map((path) => ({ path, content: null })),
    ];
    const repo = (await openRepo(r.dir))!;
    const change = emptyChange();
    for (const c of changes) change.writes.set(c.path, c.content === null ? null : new TextEncoder().encode(c.content));
    const hook = await evaluateIntendedChange(repo, change, { actor: actorSignals(s.login, s.branch, []), now: new Date(), cache: false });
    expect(hook.type).toBe("verdict");

    // The hook server's warm state (memoised policy and snapshots, cached tree), primed and asked twice.
    const warm = (await openWarmRepo(r.dir))!;
    await warm.prime(new Date());
    for (let i = 0; i < 2; i++) {
      const served = await warm.runtime.evaluate((await warm.runtime.openRepo(r.dir))!, change, { actor: actorSignals(s.login, s.branch, []), now: new Date(), cache: true });
      expect(served.type === "verdict" ? rows(served.verdict.findings) : served.type).toEqual(rows(hook.type === "verdict" ? hook.verdict.findings : []));
      expect(served.type === "verdict" ? served.verdict.conclusion : null).toBe(hook.type === "verdict" ? hook.verdict.conclusion : null);
    }

    const client = new Client({ name: "consistency", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp", r.dir, "--no-cache"], stderr: "pipe" }));
    let mcp: { findings: Row[]; conclusion: string };
    try {
      const res = (await client.callTool({ name: "check_change", arguments: { changes, actor: s.login } })) as { content: Array<{ text: string }>; isError?: boolean };
      expect(res.isError, res.content[0]?.text).toBeFalsy();
      mcp = JSON.parse(res.content[0]!.text);
    } finally {
      await client.close();
    }

    const head: Record<string, string | null> = { ...s.head };
    for (const p of Object.keys(s.base)) if (!(p in s.head)) head[p] = null;
    r.commit(head, "change");
    const cli = JSON.parse(runCli(["check", r.dir, "--base", base, "--actor", s.login, "--format", "json", "--no-cache"]).stdout) as { findings: Row[]; conclusion: string };

    const fromHook = rows(hook.type === "verdict" ? hook.verdict.findings : []);
    if (s.expectFindings) expect(fromHook.length, "the scenario should produce findings").toBeGreaterThan(0);
    expect(rows(cli.findings)).toEqual(fromHook);
    expect(rows(mcp.findings)).toEqual(fromHook);
    const conclusion = hook.type === "verdict" ? hook.verdict.conclusion : null;
    expect(cli.conclusion).toBe(conclusion);
    expect(mcp.conclusion).toBe(conclusion);
  });
});
