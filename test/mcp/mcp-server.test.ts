import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";

/** The real binary as an MCP server, spoken to by the SDK's own client over stdio. */

const BIN = join(import.meta.dirname, "..", "..", "bin", "plumbline.js");

const POLICY = `version: 1
invariants:
  - id: core-is-pure
    kind: import-boundary
    why: The core is evaluated everywhere; it must not reach I/O.
    owner: "@acme/platform"
    from: ["src/core/**"]
    forbid: ["src/github/**"]
  - id: no-console
    kind: content
    why: Findings are data; printing belongs to adapters.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
  - id: agents-stay-out-of-ci
    kind: execution-scope
    why: CI changes are reviewed by humans.
    actors: agents
    deny: [".github/workflows/**"]
waivers:
  - invariant: no-console
    path: src/legacy.ts
    reason: Removed with the logger rewrite.
    owner: "@alice"
    expires: 2099-01-31
`;

type Result = { content: Array<{ type: string; text: string }>; isError?: boolean };

let r: TestRepo;
let client: Client;

async function connect(dir: string, env: Record<string, string> = {}): Promise<Client> {
  const c = new Client({ name: "plumbline-test", version: "1.0.0" });
  await c.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, "mcp", dir], env: { ...getDefaultEnvironment(), ...env }, stderr: "pipe" }));
  return c;
}

const call = async (name: string, args: Record<string, unknown> = {}, c = client) => (await c.callTool({ name, arguments: args })) as Result;
const json = (res: Result) => JSON.parse(res.content[0]!.text);

beforeAll(async () => {
  r = createTestRepo({
    "invariants/a.yml": POLICY,
    "src/core/a.ts": "export const a = 1;\n",
    "src/github/app.ts": "export const app = 1;\n",
    "src/legacy.ts": "console.log('waived');\n",
    "src/old.ts": "console.log('persisting');\n",
    ".github/workflows/ci.yml": "on: push\n",
  });
  client = await connect(r.dir);
});
afterAll(async () => {
  await client?.close();
  r?.cleanup();
});

describe("plumbline mcp", () => {
  it("lists its three tools with input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["check_change", "explain", "list_invariants"]);
    const check = tools.find((t) => t.name === "check_change")!;
    expect(Object.keys(check.inputSchema.properties ?? {}).sort()).toEqual(["actor", "changes", "diff"]);
  });

  it("list_invariants: id, kind, enforcement, why, owner, scope summary and coverage", async () => {
    const res = json(await call("list_invariants"));
    expect(res.policy.digest).toMatch(/^[0-9a-f]{64}$/);
    const core = res.invariants.find((i: { id: string }) => i.id === "core-is-pure");
    expect(core).toMatchObject({ kind: "import-boundary", enforcement: "block", why: expect.stringContaining("I/O"), owner: "@acme/platform", scope: "from: src/core/**; forbid: src/github/**", coverage: { unit: expect.any(String), matched: expect.any(Number) } });
    const noConsole = res.invariants.find((i: { id: string }) => i.id === "no-console");
    expect(noConsole).toMatchObject({ coverage: { unit: "files", matched: 4 }, openFindings: 1, waivers: 1 });
  });

  it("check_change with full contents returns the CLI's JSON report", async () => {
    const res = await call("check_change", { changes: [{ path: "src/core/a.ts", content: 'import { app } from "../github/app.js";\nexport const a = app;\n' }] });
    expect(res.isError).toBeFalsy();
    const report = json(res);
    expect(report).toMatchObject({ version: 1, conclusion: "failure", exitCode: 1 });
    const finding = report.findings.find((f: { invariant: string }) => f.invariant === "core-is-pure");
    expect(finding).toMatchObject({ status: "introduced", code: "import-boundary.forbidden", path: "src/core/a.ts", line: 1, blocking: true });
    expect(finding.fingerprint).toMatch(/^[0-9a-f]{20}$/);
    expect(report.findings.find((f: { path: string }) => f.path === "src/old.ts")).toMatchObject({ status: "persisting", blocking: false });
  });

  it("check_change applies a unified diff (git format, with a new file and a deletion)", async () => {
    const diff = [
      "diff --git a/src/core/a.ts b/src/core/a.ts",
      "--- a/src/core/a.ts",
      "+++ b/src/core/a.ts",
      "@@ -1 +1,2 @@",
      " export const a = 1;",
      "+console.log(a);",
      "diff --git a/src/core/new.ts b/src/core/new.ts",
      "new file mode 100644",
      "--- /dev/null",
      "+++ b/src/core/new.ts",
      "@@ -0,0 +1 @@",
      "+export const n = 1;",
      "diff --git a/src/old.ts b/src/old.ts",
      "deleted file mode 100644",
      "--- a/src/old.ts",
      "+++ /dev/null",
      "@@ -1 +0,0 @@",
      "-console.log('persisting');",
      "",
    ].join("\n");
    const report = json(await call("check_change", { diff }));
    expect(report.change.paths).toEqual([
      { path: "src/core/a.ts", status: "modified" },
      { path: "src/core/new.ts", status: "added" },
      { path: "src/old.ts", status: "deleted" },
    ]);
    const shape = report.findings.map((f: { invariant: string; path: string; line: number; status: string }) => `${f.invariant} ${f.path}:${f.line} ${f.status}`).sort();
    expect(shape).toEqual(["no-console src/core/a.ts:2 introduced", "no-console src/legacy.ts:1 persisting", "no-console src/old.ts:1 resolved"]);
  });

  it("check_change judges the caller as an agent unless an actor is given", async () => {
    const change = { changes: [{ path: ".github/workflows/ci.yml", content: "on: pull_request\n" }] };
    expect(json(await call("check_change", change)).conclusion).toBe("failure");
    const human = json(await call("check_change", { ...change, actor: "alice" }));
    expect(human.conclusion).toBe("success");
    expect(human.actor).toMatchObject({ class: "human", login: "alice" });
  });

  it("explain: an invariant id, a finding fingerprint", async () => {
    const inv = json(await call("explain", { id: "no-console" }));
    expect(inv).toMatchObject({ type: "invariant", invariant: { id: "no-console", why: expect.any(String), rule: { files: ["src/**/*.ts"] } }, coverage: { unit: "files", matched: 4 } });
    expect(inv.waivers).toEqual([expect.objectContaining({ path: "src/legacy.ts", owner: "@alice", state: "active", used: 1 })]);
    const fp = inv.findings.find((f: { path: string }) => f.path === "src/old.ts").fingerprint;
    const finding = json(await call("explain", { id: fp }));
    expect(finding).toMatchObject({ type: "finding", finding: { path: "src/old.ts", fingerprint: fp }, invariant: { id: "no-console" } });
  });

  it("explain: a ledger entry id says what it needs", async () => {
    const local = await call("explain", { id: "1764100000000-0" });
    expect(local.isError).toBe(true);
    expect(local.content[0]!.text).toContain("REDIS_URL");
    const withRedis = await connect(r.dir, { REDIS_URL: "redis://127.0.0.1:1" });
    try {
      const res = await call("explain", { id: "1764100000000-0" }, withRedis);
      expect(res.isError).toBe(true);
      expect(res.content[0]!.text).toContain("src/store/ledger-store.ts");
    } finally {
      await withRedis.close();
    }
  });

  it("answers malformed requests with error results and keeps serving", async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["check_change", {}, "needs `changes`"],
      ["check_change", { changes: "src/a.ts" }, "changes"],
      ["check_change", { changes: [{ path: "../../etc/passwd", content: "x" }] }, "outside the repository"],
      ["check_change", { diff: "--- a/src/core/a.ts\n+++ b/src/core/a.ts\n@@ -1 +1 @@\n-not the content\n+x\n" }, "does not apply"],
      ["check_change", { diff: "--- a/missing.ts\n+++ b/missing.ts\n@@ -1 +1 @@\n-a\n+b\n" }, "does not exist"],
      ["check_change", { diff: "just some text" }, "names no file"],
      ["explain", {}, "id"],
      ["explain", { id: "no-such-invariant" }, "is not an invariant id"],
      ["explain", { id: "0123456789abcdef0123" }, "no finding with fingerprint"],
    ];
    for (const [tool, args, message] of cases) {
      const res = await call(tool, args);
      expect(res.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(res.content[0]!.text, `${tool} ${JSON.stringify(args)}`).toContain(message);
    }
    const unknown = await call("no_such_tool");
    expect(unknown.isError).toBe(true);
    expect((await client.listTools()).tools).toHaveLength(3);
  });
});
