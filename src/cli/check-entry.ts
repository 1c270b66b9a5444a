import { checkCommand } from "./check-command.js";
import { processIo, type Io } from "./io.js";
import { runCommand } from "./run-command.js";

/**
 * `plumbline check` on its own, for the launcher's compiled-code cache (scripts/bundle-cli.mjs
 * bundles this into one CommonJS file, which Node 20 can load with V8 code cache; ES modules it
 * cannot). `main` in main.ts runs the same command the same way.
 */
export function checkMain(args: string[], io: Io = processIo): Promise<number> {
  return runCommand("check", checkCommand, args, io);
}
