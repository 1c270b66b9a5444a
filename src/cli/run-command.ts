import { UsageError, type Io } from "./io.js";

export type Command = (args: string[], io: Io) => Promise<number>;

/** Runs one command: a usage mistake is exit 2 with its message, anything else propagates (an internal error). */
export async function runCommand(name: string, command: Command, args: string[], io: Io): Promise<number> {
  try {
    return await command(args, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`plumbline ${name}: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}
