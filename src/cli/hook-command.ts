import { parseArgs } from "node:util";
import type { HookAnswer } from "../hooks/claude-code-hook.js";
import { askHookServer } from "../hooks/hook-client.js";
import { MAX_EVENT_BYTES } from "../hooks/hook-protocol.js";
import { UsageError, type Io } from "./io.js";

export const HOOK_USAGE = `Usage: plumbline hook claude-code [--agent ID] [--no-cache]

A Claude Code PreToolUse hook (matcher Write|Edit|MultiEdit|NotebookEdit|Bash): reads the event
on stdin, applies the intended change in memory and judges it with the invariants committed at
HEAD. A change that introduces a blocking violation is denied with the invariant, its why, the
file:line and what is allowed; anything else is left to Claude Code's own permission rules.
  --agent ID   the agent the change is attributed to (default claude-code)
Exit: 0 answered (deny JSON on stdout, or nothing); 2 the event could not be judged (blocked).
See docs/agent-hooks.md.`;

/**
 * The client path: this module and hook-client.ts load only node builtins and small modules. A
 * warm hook server answers; without one (or when it cannot), the engine is loaded here and the
 * call is judged in-process. Both render through `answerClaudeCodeEvent`, so the bytes printed
 * and the exit code do not depend on which path answered.
 */
export async function hookCommand(args: string[], io: Io, stdin: AsyncIterable<Buffer | string> & { isTTY?: boolean } = process.stdin, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      agent: { type: "string", default: "claude-code" },
      "no-cache": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout(HOOK_USAGE + "\n");
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "claude-code") throw new UsageError(`expected \`plumbline hook claude-code\`, got \`${positionals.join(" ") || "(nothing)"}\``);
  if (stdin.isTTY) throw new UsageError("expects a Claude Code PreToolUse event on stdin (it runs as a hook, see docs/agent-hooks.md)");
  const raw = await readBounded(stdin, MAX_EVENT_BYTES);
  const opts = { agent: values.agent!, now: io.now(), cache: !values["no-cache"], fallbackCwd: io.cwd };
  const answer: HookAnswer =
    raw === null
      ? { exitCode: 2, stdout: "", stderr: `Plumbline could not check this tool call, so it is blocked (fail closed): the event is larger than ${MAX_EVENT_BYTES} bytes.\n` }
      : ((await askHookServer(raw, { ...opts, cwd: io.cwd, env })) ?? (await (await import("../hooks/claude-code-hook.js")).answerClaudeCodeEvent(raw, opts)));
  if (answer.stdout) io.stdout(answer.stdout);
  if (answer.stderr) io.stderr(answer.stderr);
  return answer.exitCode;
}

/** The whole input as UTF-8, or null as soon as it exceeds `max` bytes (the rest is not read). */
async function readBounded(stream: AsyncIterable<Buffer | string>, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > max) return null;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
