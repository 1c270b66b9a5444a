import { describeActor } from "./describe-actor.js";
import type { MessageTable } from "./message-table.js";

type Evidence = Parameters<MessageTable[string]>[0];

function what(e: Evidence): string {
  return e.status === "renamed" && e.previousPath ? `renamed \`${e.previousPath}\` → \`${e.changedPath}\`` : `${e.status} \`${e.changedPath}\``;
}

/** `agents`, `humans`, `everyone`, or the agent ids a rule names. */
function bound(e: Evidence): string {
  if (e.scopeType === "all") return "everyone";
  if (e.scopeType !== "ids") return String(e.scopeType);
  return `agent${String(e.scope).includes(",") ? "s" : ""} ${String(e.scope).split(", ").map((id) => `\`${id}\``).join(", ")}`;
}

export const executionScopeMessages: MessageTable = {
  "execution-scope.denied": (e) =>
    `${describeActor(e)} ${what(e)}, but \`${e.glob}\` is off limits to ${bound(e)}: revert this path, and leave changes there to an actor this rule does not bind`,
  "execution-scope.outside-allow": (e) =>
    `${describeActor(e)} ${what(e)}, outside the only paths ${bound(e)} may change (${e.glob}): revert it, and leave changes there to an actor this rule does not bind`,
};
