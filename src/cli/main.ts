import { ENGINE_VERSION } from "../core/engine-version.js";
import { processIo, type Io } from "./io.js";
import { runCommand, type Command } from "./run-command.js";

const USAGE = `plumbline ${ENGINE_VERSION}: repository invariants, enforced everywhere

Commands:
  check [dir]     evaluate the invariants (see \`plumbline check --help\`)
  hook claude-code
                  Claude Code PreToolUse hook: deny tool calls that would break an invariant
  hook-server [dir] | hook-server --stop [dir]
                  the resident server that keeps the hook fast (started by the hook on demand)
  hooks install [dir] | hooks uninstall [dir]
                  git hooks: pre-commit (staged tree), pre-push (pushed ranges), commit trailer
  mcp [dir]       MCP server over stdio: list_invariants, check_change, explain
  serve           run the GitHub App: webhook server + evaluation workers (needs APP_ID,
                  PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, REDIS_URL; GITHUB_API_URL optional)
  worker          run evaluation workers only (scale out on the same Redis)
  drift --repo R  decay signals of a repository the app audits (see \`plumbline drift --help\`)
  ledger verify|export|show --repo R
                  the provenance ledger: verify the chain, export NDJSON, explain a commit's
                  verdict (see \`plumbline ledger --help\`)
  schema          print the JSON Schema of invariant files
  version         print the engine version
`;

/** The engine loads only for commands that use it: an agent hook answering "not ours" stays cheap. */
const usage = async (): Promise<string> => `${USAGE}\n${(await import("./check-command.js")).CHECK_USAGE}\n`;

/** A plain map of commands, like the kind registry: adding one is one line. */
const commands: Record<string, Command> = {
  // Loaded on demand: `check` in a git hook must not pay for Probot and BullMQ, nor a hook for the engine it may not need.
  check: async (args, io) => (await import("./check-command.js")).checkCommand(args, io),
  serve: async (args, io) => (await import("./serve-command.js")).serveCommand("serve")(args, io),
  worker: async (args, io) => (await import("./serve-command.js")).serveCommand("worker")(args, io),
  hook: async (args, io) => (await import("./hook-command.js")).hookCommand(args, io),
  "hook-server": async (args, io) => (await import("./hook-server-command.js")).hookServerCommand(args, io),
  hooks: async (args, io) => (await import("./hooks-command.js")).hooksCommand(args, io),
  mcp: async (args, io) => (await import("./mcp-command.js")).mcpCommand(args, io),
  drift: async (args, io) => (await import("./drift-command.js")).driftCommand(args, io),
  ledger: async (args, io) => (await import("./ledger-command.js")).ledgerCommand(args, io),
  schema: async (_args, io) => {
    io.stdout(JSON.stringify((await import("../core/schema.js")).policyJsonSchema(), null, 2) + "\n");
    return 0;
  },
  version: async (_args, io) => {
    io.stdout(`${ENGINE_VERSION}\n`);
    return 0;
  },
  help: async (_args, io) => {
    io.stdout(await usage());
    return 0;
  },
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    io.stdout(await usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`plumbline: unknown command \`${name}\`; expected one of: ${Object.keys(commands).join(", ")}\n`);
    return 2;
  }
  return runCommand(name, command, rest, io);
}
