import { z } from "zod";
import type { ActorSignals } from "../core/actor.js";
import { BUILTIN_AGENTS } from "../core/agent-fingerprints.js";
import type { CheckOutcome } from "../check/check-revision.js";
import { bashChange } from "./bash-change.js";
import type { EvaluateOptions } from "./evaluate-intended-change.js";
import { changeContext, openRepo, type RepoState } from "./repo-state.js";
import { editChange, isEmptyChange, notebookChange, toolInputSchemas, writeChange, type ChangeContext, type IntendedChange } from "./intended-change.js";

/**
 * Claude Code's PreToolUse contract (hooks reference): the event arrives as JSON on stdin. Exit 0
 * with `hookSpecificOutput.permissionDecision: "deny"` blocks the call and shows the reason to
 * Claude; exit 0 with no output lets Claude Code's own permission rules decide (Plumbline never
 * *grants* a permission); exit 2 blocks with stderr as the reason. Exit 1 would let the call
 * through, so every failure here answers 2: a hook that cannot judge fails closed.
 */
export interface HookAnswer {
  readonly exitCode: 0 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HookOptions {
  /** The agent id the change is attributed to (`claude-code` unless configured otherwise). */
  readonly agent: string;
  readonly now: Date;
  readonly cache: boolean;
  /** Where the session runs when the event names no `cwd`. */
  readonly fallbackCwd: string;
  /** How the repository is opened and judged; the hook server passes its warm state, the CLI nothing. */
  readonly runtime?: HookRuntime;
}

/** The two steps that touch the repository, so a resident server can answer through this same function. */
export interface HookRuntime {
  openRepo(dir: string): Promise<RepoState | null>;
  evaluate(repo: RepoState, change: IntendedChange, opts: EvaluateOptions): Promise<CheckOutcome>;
}

const freshRuntime: HookRuntime = {
  openRepo,
  // The engine loads only now: calls that change nothing in the repository never pay for it.
  evaluate: async (repo, change, opts) => (await import("./evaluate-intended-change.js")).evaluateIntendedChange(repo, change, opts),
};

/** Claude Code adds fields over time (`permission_mode`, `tool_use_id`…); only these are needed. */
const eventSchema = z.looseObject({
  hook_event_name: z.string(),
  tool_name: z.string(),
  tool_input: z.record(z.string(), z.unknown()),
  cwd: z.string().min(1).optional(),
  session_id: z.string().optional(),
});

type Tool = keyof typeof toolInputSchemas;
const TOOLS = Object.keys(toolInputSchemas) as Tool[];

const allow = (note = ""): HookAnswer => ({ exitCode: 0, stdout: "", stderr: note });
const failClosed = (message: string): HookAnswer => ({ exitCode: 2, stdout: "", stderr: `Plumbline could not check this tool call, so it is blocked (fail closed): ${message}\n` });

export async function answerClaudeCodeEvent(raw: string, opts: HookOptions): Promise<HookAnswer> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return failClosed(`the PreToolUse event on stdin is not valid JSON (${(err as Error).message}).`);
  }
  const event = eventSchema.safeParse(json);
  if (!event.success) return failClosed(`the PreToolUse event does not have the expected shape (${issuesOf(event.error)}).`);
  const { hook_event_name: eventName, tool_name: toolName, tool_input: toolInput } = event.data;
  if (eventName !== "PreToolUse") return allow(`plumbline: ignoring a ${eventName} event; register this hook under PreToolUse\n`);
  if (!TOOLS.includes(toolName as Tool)) return allow();
  const input = toolInputSchemas[toolName as Tool].safeParse(toolInput);
  if (!input.success) return failClosed(`the ${toolName} tool input does not have the expected shape (${issuesOf(input.error)}).`);

  try {
    const runtime = opts.runtime ?? freshRuntime;
    const repo = await runtime.openRepo(event.data.cwd ?? opts.fallbackCwd);
    if (repo === null) return allow();
    const ctx = await changeContext(repo, event.data.cwd ?? opts.fallbackCwd);
    const change = await changeOf(toolName as Tool, input.data, ctx);
    if (isEmptyChange(change)) return allow();
    const decider = import("./hook-decision.js");
    const outcome = await runtime.evaluate(repo, change, { actor: agentSignals(opts.agent), now: opts.now, cache: opts.cache });
    const { decide } = await decider;
    const decision = decide(outcome, change, toolName);
    if (decision.decision === "allow") return allow();
    const output = { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: decision.reason } };
    return { exitCode: 0, stdout: `${JSON.stringify(output)}\n`, stderr: "" };
  } catch (err) {
    return failClosed((err as Error).message);
  }
}

/** One builder per tool: a plain map, like the kind registry. */
const builders: { [T in Tool]: (input: z.infer<(typeof toolInputSchemas)[T]>, ctx: ChangeContext) => Promise<IntendedChange> } = {
  Write: (i, ctx) => writeChange(ctx, i.file_path, i.content),
  Edit: (i, ctx) => editChange(ctx, i.file_path, [i]),
  MultiEdit: (i, ctx) => editChange(ctx, i.file_path, i.edits),
  NotebookEdit: (i, ctx) => notebookChange(ctx, i),
  Bash: (i, ctx) => bashChange(ctx, i.command),
};

function changeOf(tool: Tool, input: unknown, ctx: ChangeContext): Promise<IntendedChange> {
  return (builders[tool] as (i: unknown, c: ChangeContext) => Promise<IntendedChange>)(input, ctx);
}

/**
 * The hook knows who acts: it runs inside the agent's loop. A built-in agent is named by its
 * authenticated login (so it classifies exactly as its pushes do); any other id becomes a bot
 * login of that name, which the classifier attributes to that agent id.
 */
export function agentSignals(agent: string): ActorSignals {
  const builtin = BUILTIN_AGENTS.find((a) => a.id === agent);
  return { sender: { login: builtin?.identities[0]?.login ?? agent, type: "Bot" } };
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
