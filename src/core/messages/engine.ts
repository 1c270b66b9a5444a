import type { MessageTable } from "./message-table.js";

/** Findings the engine itself raises (not tied to one kind). */
export const engineMessages: MessageTable = {
  "engine.evaluator-error": (e) => `the evaluator of \`${e.invariant}\` failed (${e.error}); the invariant fails closed until this is fixed`,
  "snapshot.unparsable": (e) => `could not parse this file (${e.reason}); what it imports or declares is invisible to the rules until the syntax is fixed`,
  "coverage.vacuous": (e) => `the selectors of \`${e.invariant}\` match no ${e.unit}: the rule proves nothing. Point its globs at code that exists, or delete it`,
  "waiver.expired": (e) => `waiver for \`${e.invariant}\` on \`${e.path}\` expired on ${e.expires}; it no longer applies. Fix the violation or renew the waiver with a new reason`,
  "waiver.unneeded": (e) => `waiver for \`${e.invariant}\` on \`${e.path}\` matches no finding; remove it so it cannot hide a future violation`,
  "remediation.broke-another": (e) => `this change resolves \`${e.resolved}\` but introduces \`${e.introduced}\`: a remediation that broke another rule`,
  "remediation.weakening": (e) => `\`${e.resolved}\` disappeared because the policy was weakened (${e.how}), not because the code was fixed`,
  "policy.weakened": (e) => `policy change weakens \`${e.invariant}\`: ${e.detail}`,
};
