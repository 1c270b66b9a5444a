import type { MessageTable } from "./message-table.js";

type Evidence = Parameters<MessageTable[string]>[0];

/** `agent claude-code (decided by branch \`claude/x\`, forgeable)`: who, and how sure the classification is. */
function who(e: Evidence): string {
  const name = e.agent ? `agent \`${e.agent}\`` : e.actor === "agent" ? "an agent" : `human${e.login ? ` \`${e.login}\`` : ""}`;
  const how = e.signal === "default" ? "no agent signal" : `${e.signal} \`${e.signalEvidence}\`${e.forgeable ? ", a forgeable signal" : ""}`;
  return `${name} (${how})`;
}

function what(e: Evidence): string {
  return e.status === "renamed" && e.previousPath ? `renamed \`${e.previousPath}\` → \`${e.changedPath}\`` : `${e.status} \`${e.changedPath}\``;
}

export const executionScopeMessages: MessageTable = {
  "execution-scope.denied": (e) =>
    `${who(e)} ${what(e)}, but \`${e.glob}\` is off limits to ${e.scope}; revert this path and leave the change to someone this rule does not bind`,
  "execution-scope.outside-allow": (e) =>
    `${who(e)} ${what(e)}, outside the paths ${e.scope} may change (${e.glob}); revert it, or have someone this rule does not bind make it`,
};
