/**
 * Wording of decay signals, in the one place wording lives. Typed arguments rather than a
 * MessageTable: signals are produced by the engine itself, never from user-supplied codes.
 * Each line says what decayed, since when or by how much, and what restores the guarantee.
 */

const short = (sha: string) => sha.slice(0, 7);
const day = (iso: string) => iso.slice(0, 10);
const minute = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const pct = (f: number) => `${Math.round(f * 100)}%`;

export function vacuousMessage(a: { invariant: string; unit: string; since: string }): string {
  return `\`${a.invariant}\` matches no ${a.unit} on the default branch (since ${day(a.since)}): it proves nothing. Point its selectors at code that exists, or delete it`;
}

export function shrinkingMessage(a: { invariant: string; unit: string; max: number; maxSha: string; latest: number; drop: number }): string {
  return `\`${a.invariant}\` now covers ${a.latest} ${a.unit}, down ${pct(a.drop)} from ${a.max} at ${short(a.maxSha)}: code moved out from under the rule. Check that its selectors still name the code they were written for`;
}

export function waiverRotMessage(a: { invariant: string; path: string; state: "expired" | "unneeded" | "orphaned"; expires: string }): string {
  const why =
    a.state === "expired"
      ? `expired on ${a.expires}`
      : a.state === "orphaned"
        ? "matches no file any more (the path is gone)"
        : "matches no finding (the violation no longer occurs)";
  const fix = a.state === "expired" ? "fix the violation or renew it with a new reason" : "remove it so it cannot hide a future violation";
  return `waiver for \`${a.invariant}\` on \`${a.path}\` ${why}; ${fix}`;
}

export function erodingMessage(a: { invariant: string; from: number; to: number; evaluations: number }): string {
  return `open violations of \`${a.invariant}\` on the default branch grew from ${a.from} to ${a.to} over ${a.evaluations} evaluations: the rule is eroding. Fix the newest ones or tighten enforcement`;
}

export function bypassedMessage(a: { prNumber: number; sha: string; checkConclusion: string; failing: readonly string[] }): string {
  const which = a.failing.length ? ` (${a.failing.map((f) => `\`${f}\``).join(", ")})` : "";
  return `PR #${a.prNumber} merged while its Plumbline check at ${short(a.sha)} was ${a.checkConclusion}${which}: make the check required, or review who may bypass it`;
}

export function silentMessage(a: { invariant: string; last: string | null; intervalMs: number }): string {
  const hours = Math.round((a.intervalMs / 3_600_000) * 10) / 10;
  const since = a.last ? `since ${minute(a.last)}` : "since history began";
  return `\`${a.invariant}\` has not been evaluated on the default branch ${since} (audit interval ${hours} h): nothing is checking it. Check that the audit schedule and the app installation are alive`;
}

export function loopMessage(a: { invariant: string; branch: string; pattern: "repeated" | "reintroduced"; fingerprints: number; pushes: number }): string {
  const what =
    a.pattern === "repeated"
      ? `${a.fingerprints === 1 ? "the same violation" : `${a.fingerprints} violations`} survived ${a.pushes} consecutive agent pushes`
      : `${a.fingerprints === 1 ? "a violation" : `${a.fingerprints} violations`} fixed and then reintroduced within ${a.pushes} pushes`;
  return `\`${a.invariant}\` on \`${a.branch}\`: ${what}: a violation loop. Give the agent the rule's \`why\` and the finding, or take over by hand`;
}
