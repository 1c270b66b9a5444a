import { checkCommand } from "./check-command.js";
import type { HeadPrefetch } from "./head-prefetch.js";
import { processIo, type Io } from "./io.js";
import { runCommand } from "./run-command.js";

/**
 * `plumbline check` on its own, for the launcher's compiled-code cache (scripts/bundle-cli.mjs
 * bundles this into one CommonJS file, which Node 20 can load with V8 code cache; ES modules it
 * cannot). `main` in main.ts runs the same command the same way. The launcher hands over the
 * git questions it started before loading this (head-prefetch.ts).
 */
export function checkMain(args: string[], io: Io = processIo, prefetch: HeadPrefetch | null = null): Promise<number> {
  return runCommand("check", (a, i) => checkCommand(a, i, prefetch), args, io);
}
