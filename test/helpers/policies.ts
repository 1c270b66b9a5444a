/** Invariant fragments the end-to-end suites share; each suite adds what it is about. */
export const CORE_IS_PURE = `  - id: core-is-pure
    kind: import-boundary
    why: The core must not reach adapters.
    from: ["src/core/**"]
    forbid: ["src/adapters/**"]
`;

export const NO_CONSOLE = `  - id: no-console
    kind: content
    why: Findings are data.
    files: ["src/**/*.ts"]
    forbid: 'console\\.log'
`;

export const policyOf = (...invariants: string[]) => `version: 1\ninvariants:\n${invariants.join("")}`;

export const CLAUDE = { login: "claude[bot]", id: 209825114, type: "Bot" as const };
export const HUMAN = { login: "alice", id: 1001, type: "User" as const };
export const BAD_IMPORT = "import { db } from '../adapters/db';\nexport const x = db;\n";
