import type { ActorSignal, ActorSignals, ActorVerdict } from "./actor.js";
import { HUMAN_BY_DEFAULT } from "./actor.js";
import { appSlugOf, BUILTIN_AGENTS, isNoreplyEmailOf, type AgentFingerprint } from "./agent-fingerprints.js";
import type { AgentDefinition } from "./schema.js";

/**
 * Classifies who made a change. Tiers, strongest first; the first hit decides:
 *  1. built-in identities on authenticated fields (sender, app, PR author, commit author/committer logins);
 *  2. `agents[].logins` on the same fields;
 *  3. any other bot sender or PR author → agent whose id is its login: an unknown automation is
 *     treated as an agent rather than waved through as a human;
 *  4. forgeable: built-in branch prefixes, built-in co-author emails / message markers,
 *     then `agents[].branches` and `agents[].emails`.
 * A human sender does not stop the search: an agent can push with a human's token, and its
 * trailers are then the only trace, so they still make the change an agent's (signal `trailer`).
 * Forgeable signals can only turn a human verdict into an agent one, never the reverse.
 */
export function classifyActor(signals: ActorSignals, agents: readonly AgentDefinition[]): ActorVerdict {
  const ids = authenticatedIds(signals);
  return (
    firstHit(ids, (c) => builtinByIdentity(c)) ??
    firstHit(ids, (c) => configuredByLogin(c, agents)) ??
    unknownBot(signals) ??
    forgeable(signals, agents) ??
    { ...HUMAN_BY_DEFAULT, login: actingLogin(signals) }
  );
}

type AuthSignal = Extract<ActorSignal, "sender" | "app" | "pr-author" | "commit-author">;

interface Candidate {
  readonly signal: AuthSignal;
  /** For `app`, the bot login of the slug (`claude` → `claude[bot]`), so one comparison serves every field. */
  readonly login: string;
  readonly id: number | null;
}

interface Hit {
  readonly agent: string;
  readonly evidence: string;
}

const lower = (s: string): string => s.toLowerCase();
const clip = (s: string): string => (s.length > 200 ? `${s.slice(0, 199)}…` : s);

function authenticatedIds(s: ActorSignals): Candidate[] {
  const out: Candidate[] = [];
  if (s.sender) out.push({ signal: "sender", login: s.sender.login, id: s.sender.id ?? null });
  if (s.app) out.push({ signal: "app", login: `${s.app.slug}[bot]`, id: null });
  if (s.prAuthor) out.push({ signal: "pr-author", login: s.prAuthor.login, id: s.prAuthor.id ?? null });
  for (const c of s.commits ?? []) {
    // A committer login counts too: an agent that rebases or amends a human's commit is the one changing it.
    for (const login of [c.authorLogin, c.committerLogin]) {
      if (login) out.push({ signal: "commit-author", login, id: null });
    }
  }
  return out;
}

function firstHit(candidates: readonly Candidate[], match: (c: Candidate) => Hit | null): ActorVerdict | null {
  for (const c of candidates) {
    const hit = match(c);
    if (hit) return { class: "agent", agent: hit.agent, login: c.login, signal: c.signal, evidence: hit.evidence, forgeable: false };
  }
  return null;
}

function builtinByIdentity(c: Candidate): Hit | null {
  const evidence = c.signal === "app" ? (appSlugOf(c.login) ?? c.login) : c.login;
  for (const fp of BUILTIN_AGENTS) {
    if (fp.identities.some((i) => lower(c.login) === lower(i.login))) return { agent: fp.id, evidence };
  }
  // The numeric id survives a rename of the account, so it decides even when the login does not match.
  for (const fp of BUILTIN_AGENTS) {
    const ident = fp.identities.find((i) => i.id !== null && c.id === i.id);
    if (ident) return { agent: fp.id, evidence: `id ${ident.id}` };
  }
  return null;
}

function configuredByLogin(c: Candidate, agents: readonly AgentDefinition[]): Hit | null {
  const slug = c.signal === "app" ? appSlugOf(c.login) : null;
  for (const a of agents) {
    for (const login of a.logins) {
      const l = lower(login);
      if (l === lower(c.login) || (slug !== null && l === lower(slug))) return { agent: a.id, evidence: slug ?? c.login };
    }
  }
  return null;
}

function isBot(who: { login: string; type?: string }): boolean {
  return who.type === "Bot" || appSlugOf(who.login) !== null;
}

function unknownBot(s: ActorSignals): ActorVerdict | null {
  const pairs = [["sender", s.sender], ["pr-author", s.prAuthor]] as const;
  for (const [signal, who] of pairs) {
    if (who && isBot(who)) {
      return { class: "agent", agent: who.login, login: who.login, signal, evidence: who.login, forgeable: false };
    }
  }
  return null;
}

function actingLogin(s: ActorSignals): string | null {
  return s.sender?.login ?? s.prAuthor?.login ?? null;
}

function normalBranch(branch: string): string {
  return branch.startsWith("refs/heads/") ? branch.slice("refs/heads/".length) : branch;
}

interface EmailSighting {
  readonly email: string;
  /** The exact text that carried it: the trailer line, or `author <email>`. */
  readonly evidence: string;
}

/** Author emails and `Co-authored-by:` emails; only the `<email>` part counts, the name is free text. */
function emailSightings(s: ActorSignals): EmailSighting[] {
  const out: EmailSighting[] = [];
  for (const c of s.commits ?? []) {
    if (c.authorEmail) out.push({ email: c.authorEmail.trim(), evidence: `author <${c.authorEmail.trim()}>` });
    for (const raw of c.message.split("\n")) {
      const line = raw.trim();
      if (!lower(line).startsWith("co-authored-by:")) continue;
      const open = line.lastIndexOf("<");
      const close = line.lastIndexOf(">");
      if (open === -1 || close < open) continue;
      out.push({ email: line.slice(open + 1, close).trim(), evidence: clip(line) });
    }
  }
  return out;
}

function markerHit(fp: AgentFingerprint, message: string): string | null {
  const lines = message.split("\n").map((l) => l.trim());
  for (const m of fp.markers) {
    if (m.type === "trailer-key") {
      const prefix = `${lower(m.key)}:`;
      const line = lines.find((l) => lower(l).startsWith(prefix));
      if (line !== undefined) return clip(line);
    } else {
      const want = lower(m.text);
      // Claude Code writes the phrase as a markdown link (`Generated with [Claude Code](…)`).
      const line = lines.find((l) => lower(l).replace(/[[\]]/g, "").includes(want));
      if (line !== undefined) return clip(line);
    }
  }
  return null;
}

function forgeable(s: ActorSignals, agents: readonly AgentDefinition[]): ActorVerdict | null {
  const login = actingLogin(s);
  const verdict = (agent: string, signal: "branch" | "trailer", evidence: string): ActorVerdict => ({ class: "agent", agent, login, signal, evidence, forgeable: true });
  const branch = s.branch ? normalBranch(s.branch) : null;
  const sightings = emailSightings(s);

  if (branch !== null) {
    for (const fp of BUILTIN_AGENTS) {
      const prefix = fp.branchPrefixes.find((p) => branch.startsWith(p));
      if (prefix) return verdict(fp.id, "branch", branch);
    }
  }
  for (const fp of BUILTIN_AGENTS) {
    const emails = new Set(fp.emails.map(lower));
    const seen = sightings.find((x) => emails.has(lower(x.email)) || fp.identities.some((i) => isNoreplyEmailOf(x.email, i.login)));
    if (seen) return verdict(fp.id, "trailer", seen.evidence);
  }
  for (const c of s.commits ?? []) {
    for (const fp of BUILTIN_AGENTS) {
      const evidence = markerHit(fp, c.message);
      if (evidence !== null) return verdict(fp.id, "trailer", evidence);
    }
  }
  if (branch !== null) {
    for (const a of agents) {
      if (a.branches.some((p) => branch.startsWith(p))) return verdict(a.id, "branch", branch);
    }
  }
  for (const a of agents) {
    const emails = new Set(a.emails.map(lower));
    const seen = sightings.find((x) => emails.has(lower(x.email)));
    if (seen) return verdict(a.id, "trailer", seen.evidence);
  }
  return null;
}
