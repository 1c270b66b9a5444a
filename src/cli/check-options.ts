import type { ParseArgsConfig } from "node:util";

/** `plumbline check`'s options, read by the command and by the launcher's prefetch (head-prefetch.ts) alike. */
export const CHECK_OPTIONS = {
  base: { type: "string" },
  actor: { type: "string" },
  format: { type: "string", default: "text" },
  worktree: { type: "boolean", default: false },
  staged: { type: "boolean", default: false },
  "no-cache": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];
