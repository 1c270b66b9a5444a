import { describe, expect, it } from "vitest";
import type { ActorSignals, ActorVerdict } from "../../src/core/actor.js";
import { BUILTIN_AGENT_IDS } from "../../src/core/agent-fingerprints.js";
import { classifyActor } from "../../src/core/classify-actor.js";
import type { AgentDefinition } from "../../src/core/schema.js";

const human = { login: "alice", id: 1001, type: "User" };
const commit = (message: string, extra: Partial<{ authorLogin: string; authorEmail: string; committerLogin: string }> = {}) => ({ sha: "abc", message, ...extra });

type Expected = Pick<ActorVerdict, "class" | "agent" | "signal" | "forgeable"> & { evidence?: string };

interface Row {
  name: string;
  signals: ActorSignals;
  expected: Expected;
  agents?: AgentDefinition[];
}

const acme: AgentDefinition = { id: "acme-fixer", logins: ["acme-fixer[bot]"], branches: ["fixer/"], emails: ["fixer@acme.dev"] };

const authenticated: Row[] = [
  { name: "Copilot login", signals: { sender: { login: "Copilot", type: "Bot" } }, expected: { class: "agent", agent: "copilot", signal: "sender", forgeable: false } },
  { name: "Copilot by id only (renamed)", signals: { sender: { login: "renamed", id: 198982749 } }, expected: { class: "agent", agent: "copilot", signal: "sender", forgeable: false, evidence: "id 198982749" } },
  { name: "copilot-swe-agent[bot]", signals: { sender: { login: "copilot-swe-agent[bot]" } }, expected: { class: "agent", agent: "copilot", signal: "sender", forgeable: false } },
  { name: "claude[bot]", signals: { sender: { login: "claude[bot]", id: 209825114, type: "Bot" } }, expected: { class: "agent", agent: "claude-code", signal: "sender", forgeable: false } },
  { name: "claude-code-action[bot] by id", signals: { sender: { login: "x", id: 208546643 } }, expected: { class: "agent", agent: "claude-code", signal: "sender", forgeable: false } },
  { name: "chatgpt-codex-connector[bot]", signals: { sender: { login: "chatgpt-codex-connector[bot]", id: 199175422 } }, expected: { class: "agent", agent: "codex", signal: "sender", forgeable: false } },
  { name: "openai-codex[bot] by id", signals: { sender: { login: "y", id: 215057067 } }, expected: { class: "agent", agent: "codex", signal: "sender", forgeable: false } },
  { name: "devin-ai-integration[bot]", signals: { sender: { login: "devin-ai-integration[bot]", id: 158243242 } }, expected: { class: "agent", agent: "devin", signal: "sender", forgeable: false } },
  { name: "cursor[bot] by id", signals: { sender: { login: "z", id: 206951365 } }, expected: { class: "agent", agent: "cursor", signal: "sender", forgeable: false } },
  { name: "dependabot[bot]", signals: { sender: { login: "dependabot[bot]", type: "Bot" } }, expected: { class: "agent", agent: "dependabot", signal: "sender", forgeable: false } },
  { name: "renovate[bot]", signals: { sender: { login: "renovate[bot]", type: "Bot" } }, expected: { class: "agent", agent: "renovate", signal: "sender", forgeable: false } },
  { name: "login compared case-insensitively", signals: { sender: { login: "CLAUDE[BOT]" } }, expected: { class: "agent", agent: "claude-code", signal: "sender", forgeable: false } },
  { name: "app slug", signals: { sender: human, app: { slug: "claude" } }, expected: { class: "agent", agent: "claude-code", signal: "app", forgeable: false, evidence: "claude" } },
  { name: "PR author", signals: { sender: human, prAuthor: { login: "Copilot", type: "Bot" } }, expected: { class: "agent", agent: "copilot", signal: "pr-author", forgeable: false } },
  { name: "commit author login", signals: { sender: human, commits: [commit("fix", { authorLogin: "devin-ai-integration[bot]" })] }, expected: { class: "agent", agent: "devin", signal: "commit-author", forgeable: false } },
  { name: "committer login", signals: { sender: human, commits: [commit("fix", { authorLogin: "alice", committerLogin: "cursor[bot]" })] }, expected: { class: "agent", agent: "cursor", signal: "commit-author", forgeable: false } },
];

const forgeable: Row[] = [
  ...["copilot", "claude", "codex", "devin", "cursor", "dependabot", "renovate"].map((prefix, i): Row => ({
    name: `branch ${prefix}/`,
    signals: { sender: human, branch: `${prefix}/fix-thing` },
    expected: { class: "agent", agent: ["copilot", "claude-code", "codex", "devin", "cursor", "dependabot", "renovate"][i]!, signal: "branch", forgeable: true, evidence: `${prefix}/fix-thing` },
  })),
  { name: "branch given as full ref", signals: { branch: "refs/heads/claude/x" }, expected: { class: "agent", agent: "claude-code", signal: "branch", forgeable: true } },
  {
    name: "Copilot co-author trailer",
    signals: { sender: human, commits: [commit("fix\n\nCo-authored-by: Copilot <copilot@github.com>")] },
    expected: { class: "agent", agent: "copilot", signal: "trailer", forgeable: true, evidence: "Co-authored-by: Copilot <copilot@github.com>" },
  },
  {
    name: "Claude co-author trailer, any model name",
    signals: { sender: human, commits: [commit("fix\n\nCo-Authored-By: Claude Opus 4 <noreply@anthropic.com>")] },
    expected: { class: "agent", agent: "claude-code", signal: "trailer", forgeable: true, evidence: "Co-Authored-By: Claude Opus 4 <noreply@anthropic.com>" },
  },
  {
    name: "Generated with Claude Code (markdown link)",
    signals: { sender: human, commits: [commit("fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)")] },
    expected: { class: "agent", agent: "claude-code", signal: "trailer", forgeable: true },
  },
  { name: "Claude-Session trailer", signals: { sender: human, commits: [commit("fix\n\nClaude-Session: 0f3a")] }, expected: { class: "agent", agent: "claude-code", signal: "trailer", forgeable: true, evidence: "Claude-Session: 0f3a" } },
  {
    name: "Cursor co-author trailer",
    signals: { sender: human, commits: [commit("fix\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>")] },
    expected: { class: "agent", agent: "cursor", signal: "trailer", forgeable: true },
  },
  {
    name: "trailer in a later commit",
    signals: { sender: human, commits: [commit("human work"), commit("more\n\nCo-authored-by: Cursor Agent <CursorAgent@Cursor.com>")] },
    expected: { class: "agent", agent: "cursor", signal: "trailer", forgeable: true },
  },
  {
    name: "author email is the noreply address of a bot",
    signals: { sender: human, commits: [commit("bump", { authorEmail: "49699333+dependabot[bot]@users.noreply.github.com" })] },
    expected: { class: "agent", agent: "dependabot", signal: "trailer", forgeable: true, evidence: "author <49699333+dependabot[bot]@users.noreply.github.com>" },
  },
  { name: "author email is an agent email", signals: { commits: [commit("x", { authorEmail: "noreply@anthropic.com" })] }, expected: { class: "agent", agent: "claude-code", signal: "trailer", forgeable: true } },
];

const spoofed: Row[] = [
  { name: "agent name with a human email", signals: { sender: human, commits: [commit("fix\n\nCo-Authored-By: Claude <alice@example.com>")] }, expected: { class: "human", agent: null, signal: "default", forgeable: false } },
  { name: "Copilot name with a human email", signals: { sender: human, commits: [commit("fix\n\nCo-authored-by: Copilot <alice@example.com>")] }, expected: { class: "human", agent: null, signal: "default", forgeable: false } },
  { name: "agent email in the body, not a trailer", signals: { sender: human, commits: [commit("mail noreply@anthropic.com about it")] }, expected: { class: "human", agent: null, signal: "default", forgeable: false } },
  { name: "lookalike domain", signals: { sender: human, commits: [commit("x\n\nCo-authored-by: C <copilot@github.com.evil.io>")] }, expected: { class: "human", agent: null, signal: "default", forgeable: false } },
  { name: "branch merely containing an agent name", signals: { sender: human, branch: "feature/claude/x" }, expected: { class: "human", agent: null, signal: "default", forgeable: false } },
  { name: "noreply of a human account", signals: { sender: human, commits: [commit("x", { authorEmail: "1001+alice@users.noreply.github.com" })] }, expected: { class: "human", agent: null, signal: "default", forgeable: false } },
  { name: "plain human", signals: { sender: human, branch: "main", commits: [commit("fix typo", { authorLogin: "alice" })] }, expected: { class: "human", agent: null, signal: "default", forgeable: false } },
  { name: "no signals at all", signals: {}, expected: { class: "human", agent: null, signal: "default", forgeable: false } },
];

const precedence: Row[] = [
  {
    name: "authenticated sender outranks a different agent's branch and trailer",
    signals: { sender: { login: "cursor[bot]" }, branch: "claude/x", commits: [commit("x\n\nCo-authored-by: Copilot <copilot@github.com>")] },
    expected: { class: "agent", agent: "cursor", signal: "sender", forgeable: false },
  },
  { name: "sender outranks PR author", signals: { sender: { login: "devin-ai-integration[bot]" }, prAuthor: { login: "Copilot" } }, expected: { class: "agent", agent: "devin", signal: "sender", forgeable: false } },
  { name: "built-in PR author outranks a configured sender", agents: [acme], signals: { sender: { login: "acme-fixer[bot]" }, prAuthor: { login: "Copilot" } }, expected: { class: "agent", agent: "copilot", signal: "pr-author", forgeable: false } },
  { name: "configured login", agents: [acme], signals: { sender: { login: "acme-fixer[bot]", type: "Bot" } }, expected: { class: "agent", agent: "acme-fixer", signal: "sender", forgeable: false, evidence: "acme-fixer[bot]" } },
  { name: "configured app slug", agents: [acme], signals: { sender: human, app: { slug: "acme-fixer" } }, expected: { class: "agent", agent: "acme-fixer", signal: "app", forgeable: false } },
  { name: "configured login outranks a built-in branch", agents: [acme], signals: { sender: { login: "acme-fixer[bot]" }, branch: "claude/x" }, expected: { class: "agent", agent: "acme-fixer", signal: "sender", forgeable: false } },
  { name: "unlisted bot sender is an agent named by its login", signals: { sender: { login: "github-actions[bot]", type: "Bot" } }, expected: { class: "agent", agent: "github-actions[bot]", signal: "sender", forgeable: false } },
  { name: "unlisted Bot-typed PR author", signals: { sender: human, prAuthor: { login: "some-service", type: "Bot" } }, expected: { class: "agent", agent: "some-service", signal: "pr-author", forgeable: false } },
  { name: "unlisted bot outranks forgeable signals", signals: { sender: { login: "mybot[bot]" }, branch: "claude/x" }, expected: { class: "agent", agent: "mybot[bot]", signal: "sender", forgeable: false } },
  { name: "built-in branch outranks a trailer", signals: { sender: human, branch: "codex/x", commits: [commit("x\n\nClaude-Session: 1")] }, expected: { class: "agent", agent: "codex", signal: "branch", forgeable: true } },
  { name: "built-in trailer outranks a configured branch", agents: [acme], signals: { sender: human, branch: "fixer/x", commits: [commit("x\n\nClaude-Session: 1")] }, expected: { class: "agent", agent: "claude-code", signal: "trailer", forgeable: true } },
  { name: "configured branch", agents: [acme], signals: { sender: human, branch: "fixer/x" }, expected: { class: "agent", agent: "acme-fixer", signal: "branch", forgeable: true } },
  { name: "configured co-author email", agents: [acme], signals: { sender: human, commits: [commit("x\n\nCo-authored-by: Fixer <Fixer@acme.dev>")] }, expected: { class: "agent", agent: "acme-fixer", signal: "trailer", forgeable: true } },
  { name: "configured author email", agents: [acme], signals: { commits: [commit("x", { authorEmail: "fixer@acme.dev" })] }, expected: { class: "agent", agent: "acme-fixer", signal: "trailer", forgeable: true } },
];

describe("classifyActor", () => {
  describe.each([
    ["authenticated identities", authenticated],
    ["forgeable signals", forgeable],
    ["spoofed and human", spoofed],
    ["precedence", precedence],
  ] as const)("%s", (_, rows) => {
    it.each(rows.map((r) => [r.name, r] as const))("%s", (_name, row) => {
      const v = classifyActor(row.signals, row.agents ?? []);
      expect({ class: v.class, agent: v.agent, signal: v.signal, forgeable: v.forgeable }).toEqual({
        class: row.expected.class,
        agent: row.expected.agent,
        signal: row.expected.signal,
        forgeable: row.expected.forgeable,
      });
      if (row.expected.evidence !== undefined) expect(v.evidence).toBe(row.expected.evidence);
    });
  });

  it("covers every built-in agent", () => {
    expect([...BUILTIN_AGENT_IDS].sort()).toEqual(["claude-code", "codex", "copilot", "cursor", "dependabot", "devin", "renovate"]);
  });

  it("keeps the acting login on forgeable verdicts so the ledger shows whose token pushed", () => {
    const v = classifyActor({ sender: human, commits: [commit("x\n\nCo-Authored-By: Claude <noreply@anthropic.com>")] }, []);
    expect(v.login).toBe("alice");
  });

  it("records the matched login on authenticated verdicts", () => {
    expect(classifyActor({ sender: { login: "renovate[bot]" } }, []).login).toBe("renovate[bot]");
  });

  it("clips huge trailer evidence", () => {
    const v = classifyActor({ commits: [commit(`Co-authored-by: ${"x".repeat(5000)} <copilot@github.com>`)] }, []);
    expect(v.agent).toBe("copilot");
    expect(v.evidence.length).toBeLessThanOrEqual(200);
  });
});
