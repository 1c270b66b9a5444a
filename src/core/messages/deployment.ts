import { describeActor } from "./describe-actor.js";
import type { MessageTable } from "./message-table.js";

export const deploymentMessages: MessageTable = {
  "deployment.ref-not-allowed": (e) =>
    `deploying \`${e.ref}\` to \`${e.environment}\` is not allowed; this environment only takes ${e.allowed}`,
  "deployment.invariants-failing": (e) =>
    `\`${e.sha}\` fails blocking invariants, and \`${e.environment}\` requires them to pass; fix the failing checks, then deploy again`,
  "deployment.invariants-unknown": (e) =>
    `no Plumbline verdict exists for \`${e.sha}\`, and \`${e.environment}\` requires its invariants to pass; wait for (or re-run) the Plumbline check on that commit, then deploy again`,
  "deployment.actor-not-allowed": (e) =>
    `this deployment to \`${e.environment}\` was requested by ${describeActor(e)}; only a${e.required === "agent" ? "n agent" : " human"} may deploy here`,
  "deployment.frozen": (e) =>
    `\`${e.environment}\` is frozen from ${e.from} to ${e.to} (${e.reason}); the request time ${e.at} is not outside it. Deploy after ${e.to}, or change the freeze in the invariant file`,
};
