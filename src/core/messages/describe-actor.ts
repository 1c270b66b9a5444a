import type { MessageTable } from "./message-table.js";

type Evidence = Parameters<MessageTable[string]>[0];

/**
 * Who acted and how sure the classification is, from the actor evidence kinds attach
 * (`actor`, `agent`, `login`, `signal`, `signalEvidence`, `forgeable`). Saying when only a
 * forgeable signal decided lets a reviewer judge a surprising verdict.
 */
export function describeActor(e: Evidence): string {
  if (e.actor !== "agent") return `human${e.login ? ` \`${e.login}\`` : ""} (no agent signal)`;
  const name = e.agent ? `agent \`${e.agent}\`` : "an agent";
  if (e.forgeable) return `${name} (identified only by ${e.signal} \`${e.signalEvidence}\`, which anyone can write)`;
  return `${name} (identified by ${e.signal} \`${e.signalEvidence}\`)`;
}
