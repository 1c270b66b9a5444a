import type { CommitSignals } from "./actor.js";
import type { Finding, Notice } from "./finding.js";

const TRAILER = /^Plumbline-Checked:\s*([0-9a-f]{12,64})\s*$/im;

/**
 * One verdict everywhere: a commit that says the local hooks passed it (`Plumbline-Checked:
 * <policy digest>`) yet reaches the server with a blocking violation shows that an agent-side
 * surface was bypassed (`--no-verify`, a stale install) or judged under another policy.
 */
export function propagationNotices(commits: readonly CommitSignals[], blocking: readonly Finding[], policyDigest: string): Notice[] {
  if (blocking.length === 0) return [];
  const claimed = commits.flatMap((c) => {
    const digest = TRAILER.exec(c.message)?.[1];
    return digest ? [{ sha: c.sha ?? "", digest }] : [];
  });
  if (claimed.length === 0) return [];
  const samePolicy = claimed.filter((c) => policyDigest.startsWith(c.digest));
  const which = (samePolicy.length ? samePolicy : claimed).map((c) => (c.sha ? c.sha.slice(0, 7) : "a commit")).join(", ");
  const invariants = [...new Set(blocking.map((f) => f.invariant))].join(", ");
  const message = samePolicy.length
    ? `propagation failure: ${which} carries \`Plumbline-Checked\` for this very policy, yet introduces blocking findings of ${invariants}; the local check was skipped or bypassed`
    : `propagation failure: ${which} was checked locally under another policy (${claimed[0]!.digest.slice(0, 12)}), and the server's policy finds blocking findings of ${invariants}; update the local install`;
  return [{ code: "propagation.failure", level: "warning", invariant: null, path: null, line: null, message, evidence: { commits: which, claimed: claimed.map((c) => c.digest).join(","), policy: policyDigest } }];
}
