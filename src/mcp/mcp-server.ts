import { resolve } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { CheckOutcome } from "../check/check-revision.js";
import { BUILTIN_AGENTS } from "../core/agent-fingerprints.js";
import { ENGINE_VERSION } from "../core/engine-version.js";
import { renderPolicyError } from "../core/policy-error.js";
import { exitCodeOf } from "../cli/check-command.js";
import { actorSignals } from "../cli/git-context.js";
import { renderJson } from "../cli/render-json.js";
import { agentSignals } from "../hooks/claude-code-hook.js";
import { evaluateIntendedChange } from "../hooks/evaluate-intended-change.js";
import { changeContext, openRepo, type RepoState } from "../hooks/repo-state.js";
import { emptyChange, repoPathOf } from "../hooks/intended-change.js";
import { explainFinding, explainInvariant, listInvariants } from "./invariant-catalog.js";
import { diffChange, DiffError } from "./unified-diff.js";

export interface McpOptions {
  /** The repository (or a directory inside it) the server answers for. */
  readonly dir: string;
  /** Agent id for `check_change` without an `actor`; null: the client's name when it is a known agent. */
  readonly agent: string | null;
  readonly cache: boolean;
  readonly now: () => Date;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Ledger lookups for `explain`. The ledger lives with the server (Redis); a surface that has a
   * ledger store plugs its reader in here. Absent: `explain` says where ledger entries can be read.
   */
  readonly explainLedgerEntry?: (id: string) => Promise<unknown | null>;
}

const MAX_DIFF = 10 * 1024 * 1024;
const FINGERPRINT = /^[0-9a-f]{20}$/;
/** Redis stream ids (`<ms>-<seq>`) key ledger entries. */
const LEDGER_ID = /^\d{10,}-\d+$/;
/** Agents that call without naming themselves are still agents: agent-scoped rules must apply. */
const UNNAMED_AGENT = "mcp-agent";

type ToolResult = { content: Array<{ type: "text"; text: string }>; isError?: boolean };
const ok = (value: unknown): ToolResult => ({ content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value, null, 2) }] });
const fail = (message: string): ToolResult => ({ content: [{ type: "text", text: message }], isError: true });

/** The same engine as the CLI and the hooks, as MCP tools an agent can call before it acts. */
export function createMcpServer(opts: McpOptions): McpServer {
  const server = new McpServer(
    { name: "plumbline", version: ENGINE_VERSION },
    { instructions: "Plumbline enforces this repository's invariants (invariants/*.yml). Call list_invariants to learn the rules, check_change before writing files, explain for an invariant id or a finding fingerprint." },
  );
  const repoOrFail = async (): Promise<RepoState> => {
    const repo = await openRepo(opts.dir);
    if (!repo) throw new UserError(`${opts.dir} is not inside a git repository`);
    return repo;
  };
  const current = async (repo: RepoState): Promise<Extract<CheckOutcome, { type: "verdict" }>> => {
    const outcome = await evaluateIntendedChange(repo, emptyChange(), { actor: null, now: opts.now(), cache: opts.cache });
    if (outcome.type === "no-policy") throw new UserError(`no invariant files at ${outcome.policyFrom} (looked for invariants/*.yml and .github/invariants/*.yml)`);
    if (outcome.type === "invalid-policy") throw new UserError(`the invariant files at ${outcome.policyFrom} are invalid:\n${outcome.errors.map(renderPolicyError).join("\n")}`);
    return outcome;
  };

  server.registerTool(
    "list_invariants",
    {
      title: "List invariants",
      description: "The invariants committed at HEAD: id, kind, enforcement, why, owner, a one-line scope summary and current coverage of the working tree.",
      annotations: { readOnlyHint: true },
    },
    guarded(async () => {
      const outcome = await current(await repoOrFail());
      return ok({ policy: { digest: outcome.verdict.policyDigest, files: outcome.policy.files }, invariants: listInvariants(outcome) });
    }),
  );

  server.registerTool(
    "check_change",
    {
      title: "Check a change",
      description:
        "Judges a change before it is made: `changes` (new full contents per path; content null deletes) and/or `diff` (a unified diff against the working tree). Returns the JSON report `plumbline check --format json` prints: findings introduced/persisting/resolved with fingerprints, and `conclusion`.",
      inputSchema: {
        changes: z.array(z.object({ path: z.string().min(1).max(4096), content: z.string().nullable() })).max(5000).optional().describe("Repository-relative paths with their complete new contents (null: delete the file)."),
        diff: z.string().max(MAX_DIFF).optional().describe("A unified diff (`git diff` or `diff -u`) against the working tree."),
        actor: z.string().min(1).max(200).optional().describe("Who makes the change, as a login (e.g. `claude[bot]`); default: the calling agent."),
      },
      annotations: { readOnlyHint: true },
    },
    guarded(async ({ changes, diff, actor }) => {
      if ((changes === undefined || changes.length === 0) && (diff === undefined || diff.trim() === "")) {
        return fail("check_change needs `changes` ([{path, content}]) and/or `diff` (unified diff text)");
      }
      const repo = await repoOrFail();
      const ctx = await changeContext(repo, repo.root);
      const change = emptyChange();
      if (diff !== undefined && diff.trim() !== "") await diffChange(ctx, diff, change);
      for (const c of changes ?? []) {
        const path = repoPathOf(ctx, resolve(repo.root, c.path));
        if (path === null) return fail(`${c.path}: outside the repository (paths are relative to ${repo.root})`);
        change.writes.set(path, c.content === null ? null : new TextEncoder().encode(c.content));
      }
      const signals = actor ? actorSignals(actor, repo.branch, []) : agentSignals(opts.agent ?? clientAgent(server) ?? UNNAMED_AGENT);
      const outcome = await evaluateIntendedChange(repo, change, { actor: signals, now: opts.now(), cache: opts.cache });
      return ok(renderJson(outcome, exitCodeOf(outcome)));
    }),
  );

  server.registerTool(
    "explain",
    {
      title: "Explain",
      description: "Explains an invariant id (its rule, why, owner, waivers, coverage), a finding fingerprint (20 hex characters) or a ledger entry id.",
      inputSchema: { id: z.string().min(1).max(200).describe("An invariant id, a finding fingerprint, or a ledger entry id (`<ms>-<seq>`).") },
      annotations: { readOnlyHint: true },
    },
    guarded(async ({ id }) => {
      const repo = await repoOrFail();
      const outcome = await current(repo);
      const inv = outcome.policy.invariants.find((i) => i.header.id === id);
      if (inv) return ok(explainInvariant(outcome, inv, opts.now()));
      if (FINGERPRINT.test(id)) {
        const finding = outcome.verdict.findings.find((f) => f.fingerprint === id);
        return finding ? ok(explainFinding(outcome, finding)) : fail(`no finding with fingerprint ${id} in the working tree (judged by the invariants at HEAD); it may have been fixed, or come from another revision`);
      }
      if (LEDGER_ID.test(id)) return explainLedger(id, opts);
      return fail(`\`${id}\` is not an invariant id (${outcome.policy.invariants.map((i) => i.header.id).join(", ") || "none defined"}), a finding fingerprint (20 hex characters) or a ledger entry id (<ms>-<seq>)`);
    }),
  );
  return server;
}

async function explainLedger(id: string, opts: McpOptions): Promise<ToolResult> {
  if (opts.explainLedgerEntry) {
    const entry = await opts.explainLedgerEntry(id);
    return entry === null ? fail(`no ledger entry ${id}`) : ok({ type: "ledger-entry", id, entry });
  }
  if (!opts.env.REDIS_URL) return fail(`ledger entry ${id}: ledger lookups need the Plumbline server's ledger (set REDIS_URL to the server's Redis); this MCP server runs locally without one`);
  return fail(`ledger entry ${id}: REDIS_URL is set, but this build has no ledger reader wired into the MCP server yet (the ledger store is src/store/ledger-store.ts); read the entry on the server`);
}

/** The MCP client's own name, when it is one of the built-in agent ids (Claude Code says `claude-code`). */
function clientAgent(server: McpServer): string | null {
  const name = server.server.getClientVersion()?.name?.toLowerCase();
  return BUILTIN_AGENTS.find((a) => a.id === name)?.id ?? null;
}

/** A problem with the request or the repository, reported as a tool error rather than a crash. */
class UserError extends Error {}

function guarded<A extends unknown[]>(fn: (...args: A) => Promise<ToolResult>): (...args: A) => Promise<ToolResult> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof UserError || err instanceof DiffError) return fail(err.message);
      return fail(`plumbline failed: ${(err as Error).message}`);
    }
  };
}
