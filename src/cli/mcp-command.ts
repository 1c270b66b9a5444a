import { parseArgs } from "node:util";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createMcpServer } from "../mcp/mcp-server.js";
import { UsageError, type Io } from "./io.js";

export const MCP_USAGE = `Usage: plumbline mcp [dir] [--agent ID] [--no-cache]

An MCP server over stdio with the tools list_invariants, check_change and explain, judged by
the invariants committed at HEAD of the repository containing dir (default: the current
directory). --agent names the agent check_change attributes changes to when the caller gives
no actor (default: the MCP client's name when it is a known agent, else a generic agent).`;

/** Runs until the client closes stdin; stdout carries only the protocol, diagnostics go to stderr. */
export async function mcpCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      agent: { type: "string" },
      "no-cache": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout(MCP_USAGE + "\n");
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one directory, got ${positionals.join(" ")}`);
  const server = createMcpServer({ dir: positionals[0] ?? io.cwd, agent: values.agent ?? null, cache: !values["no-cache"], now: () => io.now(), env: process.env });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    transport.onclose = resolve;
  });
  transport.onerror = (err) => io.stderr(`plumbline mcp: ${err.message}\n`);
  await server.connect(transport);
  await closed;
  await server.close();
  return 0;
}
