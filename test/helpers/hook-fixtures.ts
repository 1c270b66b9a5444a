/** The Claude Code hook suites' shared repository and event shapes (in-process and hook-server). */

export const POLICY = `version: 1
invariants:
  - id: core-is-pure
    kind: import-boundary
    why: The core is evaluated everywhere; it must not reach I/O.
    owner: "@acme/platform"
    from: ["src/core/**"]
    forbid: ["src/github/**"]
  - id: no-left-pad
    kind: forbidden-dependency
    why: left-pad broke the internet once.
    packages: ["left-pad"]
  - id: agents-stay-out-of-ci
    kind: execution-scope
    why: CI changes are reviewed by humans.
    actors: agents
    deny: [".github/workflows/**"]
  - id: no-console
    kind: content
    why: Findings are data; printing belongs to adapters.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
`;

export const BASE_FILES = {
  "invariants/a.yml": POLICY,
  "src/core/a.ts": "export const a = 1;\n",
  "src/github/app.ts": "export const app = 1;\n",
  "package.json": JSON.stringify({ name: "demo", version: "1.0.0", dependencies: { zod: "^4.0.0" } }, null, 2) + "\n",
  ".github/workflows/ci.yml": "on: push\n",
};

/** A PreToolUse event shaped like the ones Claude Code sends. */
export function event(cwd: string, tool: string, input: Record<string, unknown>) {
  return JSON.stringify({
    session_id: "7f1c2a9e-0000-4000-8000-000000000000",
    transcript_path: "/home/dev/.claude/projects/demo/7f1c2a9e.jsonl",
    cwd,
    permission_mode: "default",
    hook_event_name: "PreToolUse",
    tool_name: tool,
    tool_input: input,
    tool_use_id: "toolu_01ABC",
  });
}
