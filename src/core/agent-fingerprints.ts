/**
 * Built-in agent fingerprints (see FACTS.md, "Agent fingerprints"). Identities are authenticated
 * by GitHub (a login or numeric id cannot be claimed by someone else); branch prefixes, co-author
 * emails and message markers are written by whoever makes the commit, so they only ever make a
 * verdict *more* conservative and are recorded as forgeable.
 *
 * Dependency bots are listed here as agents: they change code without a human at the keyboard,
 * so rules scoped to `actors: agents` must cover them; a rule that wants to exempt them names
 * agent ids instead (`actors: [copilot, claude-code]`).
 */

export interface AgentIdentity {
  /** GitHub login, compared case-insensitively (GitHub logins are). */
  readonly login: string;
  /** Numeric account id when known: survives a rename; null when FACTS.md does not pin it. */
  readonly id: number | null;
}

/** A line-level marker in a commit message that only this agent writes. */
export type MessageMarker =
  /** A trailer key such as `Claude-Session:` at the start of a line. */
  | { readonly type: "trailer-key"; readonly key: string }
  /** A phrase anywhere in the message; markdown link brackets are ignored when comparing. */
  | { readonly type: "phrase"; readonly text: string };

export interface AgentFingerprint {
  /** Stable agent id used in `actors:` lists and verdicts. */
  readonly id: string;
  readonly name: string;
  readonly dependencyBot: boolean;
  readonly identities: readonly AgentIdentity[];
  /** Branch prefixes, including the trailing `/`. */
  readonly branchPrefixes: readonly string[];
  /** Emails of `Co-authored-by:` trailers or commit authors; the name part is ignored (anyone can type it). */
  readonly emails: readonly string[];
  readonly markers: readonly MessageMarker[];
}

export const BUILTIN_AGENTS: readonly AgentFingerprint[] = [
  {
    id: "copilot",
    name: "GitHub Copilot coding agent",
    dependencyBot: false,
    identities: [
      { login: "Copilot", id: 198982749 },
      { login: "copilot-swe-agent[bot]", id: null },
    ],
    branchPrefixes: ["copilot/"],
    emails: ["copilot@github.com"],
    markers: [],
  },
  {
    id: "claude-code",
    name: "Claude Code",
    dependencyBot: false,
    identities: [
      { login: "claude[bot]", id: 209825114 },
      { login: "claude-code-action[bot]", id: 208546643 },
    ],
    branchPrefixes: ["claude/"],
    emails: ["noreply@anthropic.com"],
    markers: [
      { type: "phrase", text: "Generated with Claude Code" },
      { type: "trailer-key", key: "Claude-Session" },
    ],
  },
  {
    id: "codex",
    name: "OpenAI Codex",
    dependencyBot: false,
    identities: [
      { login: "chatgpt-codex-connector[bot]", id: 199175422 },
      { login: "openai-codex[bot]", id: 215057067 },
    ],
    branchPrefixes: ["codex/"],
    emails: [],
    markers: [],
  },
  {
    id: "devin",
    name: "Devin",
    dependencyBot: false,
    identities: [{ login: "devin-ai-integration[bot]", id: 158243242 }],
    branchPrefixes: ["devin/"],
    emails: [],
    markers: [],
  },
  {
    id: "cursor",
    name: "Cursor",
    dependencyBot: false,
    identities: [{ login: "cursor[bot]", id: 206951365 }],
    branchPrefixes: ["cursor/"],
    emails: ["cursoragent@cursor.com"],
    markers: [],
  },
  {
    id: "dependabot",
    name: "Dependabot",
    dependencyBot: true,
    identities: [{ login: "dependabot[bot]", id: null }],
    branchPrefixes: ["dependabot/"],
    emails: [],
    markers: [],
  },
  {
    id: "renovate",
    name: "Renovate",
    dependencyBot: true,
    identities: [{ login: "renovate[bot]", id: null }],
    branchPrefixes: ["renovate/"],
    emails: [],
    markers: [],
  },
];

/** Ids the engine adds to `CompileContext.agentIds` next to the configured `agents[]`. */
export const BUILTIN_AGENT_IDS: readonly string[] = BUILTIN_AGENTS.map((a) => a.id);

/** `claude[bot]` → `claude`: the GitHub App slug behind a bot login. */
export function appSlugOf(login: string): string | null {
  return login.toLowerCase().endsWith("[bot]") ? login.slice(0, -"[bot]".length) : null;
}

/**
 * GitHub's noreply address for an account (`<id>+<login>@users.noreply.github.com`, or the older
 * `<login>@users.noreply.github.com`): bots author commits under it, so it fingerprints them too.
 */
export function isNoreplyEmailOf(email: string, login: string): boolean {
  const e = email.toLowerCase();
  const suffix = `${login.toLowerCase()}@users.noreply.github.com`;
  if (e === suffix) return true;
  if (!e.endsWith(`+${suffix}`)) return false;
  return /^\d+$/.test(e.slice(0, e.length - suffix.length - 1));
}
