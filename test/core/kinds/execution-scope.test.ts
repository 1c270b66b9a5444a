import { describe, expect, it } from "vitest";
import type { ChangedPath } from "../../../src/core/change.js";
import { CompileError } from "../../../src/core/compile-error.js";
import { executionScope, executionScopeSchema } from "../../../src/core/kinds/execution-scope.js";
import { renderMessage } from "../../../src/core/messages/index.js";
import { agentActor, base, changeOf, ctx, humanActor, input, snapshotOf } from "./handmade-snapshot.js";

function compile(fields: Record<string, unknown>) {
  return executionScope.compile(executionScopeSchema.parse({ id: "scope", kind: "execution-scope", ...base, ...fields }), ctx);
}

const tree = snapshotOf({
  ".github/workflows/ci.yml": "on: push",
  "infra/prod/main.tf": "",
  "invariants/core.yml": "version: 1",
  "src/app.ts": "",
  "docs/readme.md": "",
});

const mod = (path: string): ChangedPath => ({ path, status: "modified" });

describe("execution-scope compile", () => {
  it("requires deny or allow", () => {
    expect(() => compile({ actors: "agents" })).toThrow(CompileError);
  });

  it("rejects an unknown agent id and lists the allowed ones", () => {
    try {
      compile({ actors: ["copilot", "skynet"], deny: ["x/**"] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CompileError);
      const e = err as CompileError;
      expect(e.field).toEqual(["actors", 1]);
      expect(e.expected).toContain("skynet");
      expect(e.allowed).toContain("`claude-code`");
      expect(e.allowed).toContain("`acme-fixer`");
    }
  });

  it("rejects a bad glob with its field", () => {
    expect(() => compile({ actors: "agents", deny: ["ok/**", "../up"] })).toThrow(expect.objectContaining({ field: ["deny", 1] }));
  });

  it("rejects unknown keys", () => {
    expect(() => compile({ actors: "agents", deny: ["x"], paths: ["y"] })).toThrow();
  });
});

type Row = [name: string, rule: Record<string, unknown>, change: ReturnType<typeof changeOf> | null, expected: Array<[code: string, path: string]>];

const rows: Row[] = [
  ["no change, no findings", { actors: "agents", deny: [".github/workflows/**"] }, null, []],
  ["agent edits a workflow", { actors: "agents", deny: [".github/workflows/**"] }, changeOf(agentActor("claude-code"), [mod(".github/workflows/ci.yml"), mod("src/app.ts")]), [["execution-scope.denied", ".github/workflows/ci.yml"]]],
  ["human edits a workflow under an agents rule", { actors: "agents", deny: [".github/workflows/**"] }, changeOf(humanActor, [mod(".github/workflows/ci.yml")]), []],
  ["humans rule binds humans", { actors: "humans", deny: ["infra/prod/**"] }, changeOf(humanActor, [mod("infra/prod/main.tf")]), [["execution-scope.denied", "infra/prod/main.tf"]]],
  ["all binds everyone", { actors: "all", deny: ["infra/prod/**"] }, changeOf(agentActor("devin"), [mod("infra/prod/main.tf")]), [["execution-scope.denied", "infra/prod/main.tf"]]],
  ["id list binds the listed agent", { actors: ["copilot"], deny: ["src/**"] }, changeOf(agentActor("copilot"), [mod("src/app.ts")]), [["execution-scope.denied", "src/app.ts"]]],
  ["id list skips other agents", { actors: ["copilot"], deny: ["src/**"] }, changeOf(agentActor("dependabot"), [mod("src/app.ts")]), []],
  ["id list skips humans", { actors: ["copilot"], deny: ["src/**"] }, changeOf(humanActor, [mod("src/app.ts")]), []],
  ["deleting a denied file", { actors: "agents", deny: ["invariants/**"] }, changeOf(agentActor("codex"), [{ path: "invariants/core.yml", status: "deleted" }]), [["execution-scope.denied", "invariants/core.yml"]]],
  ["adding a denied file", { actors: "agents", deny: [".github/workflows/**"] }, changeOf(agentActor("codex"), [{ path: ".github/workflows/new.yml", status: "added" }]), [["execution-scope.denied", ".github/workflows/new.yml"]]],
  [
    "renaming out of a denied dir reports the old path",
    { actors: "agents", deny: ["infra/prod/**"] },
    changeOf(agentActor("cursor"), [{ path: "infra/staging/main.tf", previousPath: "infra/prod/main.tf", status: "renamed" }]),
    [["execution-scope.denied", "infra/prod/main.tf"]],
  ],
  [
    "renaming into a denied dir reports the new path",
    { actors: "agents", deny: ["infra/prod/**"] },
    changeOf(agentActor("cursor"), [{ path: "infra/prod/extra.tf", previousPath: "infra/staging/extra.tf", status: "renamed" }]),
    [["execution-scope.denied", "infra/prod/extra.tf"]],
  ],
  [
    "renaming inside a denied dir is one finding",
    { actors: "agents", deny: ["infra/prod/**"] },
    changeOf(agentActor("cursor"), [{ path: "infra/prod/b.tf", previousPath: "infra/prod/a.tf", status: "renamed" }]),
    [["execution-scope.denied", "infra/prod/b.tf"]],
  ],
  ["allow-list: inside is fine", { actors: "agents", allow: ["src/**", "docs/**"] }, changeOf(agentActor("copilot"), [mod("src/app.ts"), mod("docs/readme.md")]), []],
  ["allow-list: outside is a finding", { actors: "agents", allow: ["src/**"] }, changeOf(agentActor("copilot"), [mod("src/app.ts"), mod("package.json")]), [["execution-scope.outside-allow", "package.json"]]],
  [
    "allow-list: rename from outside counts",
    { actors: "agents", allow: ["src/**"] },
    changeOf(agentActor("copilot"), [{ path: "src/moved.ts", previousPath: "scripts/moved.ts", status: "renamed" }]),
    [["execution-scope.outside-allow", "scripts/moved.ts"]],
  ],
  ["deny wins inside allow", { actors: "agents", allow: ["src/**"], deny: ["src/generated/**"] }, changeOf(agentActor("copilot"), [mod("src/generated/api.ts")]), [["execution-scope.denied", "src/generated/api.ts"]]],
  ["forgeable verdicts still bind", { actors: "agents", deny: [".github/**"] }, changeOf(agentActor("claude-code", "branch"), [mod(".github/workflows/ci.yml")]), [["execution-scope.denied", ".github/workflows/ci.yml"]]],
  ["dotfiles match", { actors: "agents", deny: ["**/*.yml"] }, changeOf(agentActor("renovate"), [mod(".github/workflows/ci.yml")]), [["execution-scope.denied", ".github/workflows/ci.yml"]]],
];

describe("execution-scope evaluate", () => {
  it.each(rows)("%s", (_name, rule, change, expected) => {
    const out = executionScope.evaluate(compile(rule), input(tree, change));
    expect(out.findings.map((f) => [f.code, f.path])).toEqual(expected);
    for (const f of out.findings) {
      expect(f.line).toBe(1);
      expect(renderMessage(f.code, f.evidence)).not.toMatch(/^execution-scope\./);
    }
  });

  it("carries who decided, and how, as evidence", () => {
    const actor = { ...agentActor("claude-code", "trailer"), login: "alice", evidence: "Co-Authored-By: Claude <noreply@anthropic.com>" };
    const [f] = executionScope.evaluate(compile({ actors: "agents", deny: [".github/**"] }), input(tree, changeOf(actor, [mod(".github/workflows/ci.yml")]))).findings;
    expect(f?.evidence).toMatchObject({ actor: "agent", agent: "claude-code", signal: "trailer", forgeable: true, status: "modified", glob: ".github/**" });
    const text = renderMessage(f!.code, f!.evidence);
    expect(text).toContain("claude-code");
    expect(text).toContain("which anyone can write");
    expect(text).toContain(".github/**");
  });

  it("renders a rename with both paths", () => {
    const change = changeOf(agentActor("cursor"), [{ path: "infra/x.tf", previousPath: "infra/prod/x.tf", status: "renamed" }]);
    const [f] = executionScope.evaluate(compile({ actors: "agents", deny: ["infra/prod/**"] }), input(tree, change)).findings;
    expect(renderMessage(f!.code, f!.evidence)).toContain("`infra/prod/x.tf` → `infra/x.tf`");
  });

  it("counts tree files matched by its globs as coverage", () => {
    expect(executionScope.evaluate(compile({ actors: "agents", deny: [".github/workflows/**", "infra/**"] }), input(tree)).coverage).toEqual({ unit: "paths", matched: 2 });
    expect(executionScope.evaluate(compile({ actors: "agents", allow: ["src/**"], deny: ["docs/**"] }), input(tree)).coverage.matched).toBe(2);
  });

  it("is vacuous when its globs match nothing in the tree", () => {
    expect(executionScope.evaluate(compile({ actors: "agents", deny: ["terraform/**"] }), input(tree)).coverage.matched).toBe(0);
  });

  it("keys a finding by actor and path, not by line", () => {
    const c = compile({ actors: "agents", deny: ["src/**"] });
    const a = executionScope.evaluate(c, input(tree, changeOf(agentActor("devin"), [mod("src/app.ts")]))).findings[0]!;
    const b = executionScope.evaluate(c, input(tree, changeOf(agentActor("devin"), [{ path: "src/app.ts", status: "deleted" }]))).findings[0]!;
    expect(a.key).toBe(b.key);
  });
});
