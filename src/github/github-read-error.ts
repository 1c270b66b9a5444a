/**
 * GitHub could not hand over part of a revision after the client's own retries. For a gate a
 * partially read tree must fail closed, so this is thrown, never mapped to a per-file Error:
 * the worker concludes the check run as failure with `message` as the reason.
 *
 * Messages name the repository, the SHA, the endpoint and GitHub's status/message only. The
 * underlying Octokit error is deliberately not kept as `cause`: it carries request options and
 * headers, and this error ends up in logs and check-run text.
 */
export class GitHubReadError extends Error {
  /** HTTP status of the last failed attempt; 0 when there was no answer (network, cap, parse). */
  readonly status: number;

  constructor(message: string, status = 0) {
    super(message);
    this.name = "GitHubReadError";
    this.status = status;
  }
}

/** Status and a short, secret-free reason from whatever Octokit, fetch or a parser threw. */
export function describeFailure(err: unknown): { status: number; reason: string } {
  const status = typeof (err as { status?: unknown })?.status === "number" ? (err as { status: number }).status : 0;
  let reason = err instanceof Error ? err.message : String(err);
  // Octokit messages are GitHub's own text plus a docs link; keep one line and bound its length.
  reason = reason.split("\n")[0]!.replace(/\s*-\s*https:\/\/docs\.github\.com\S*/g, "").slice(0, 300);
  // Belt and braces: signed archive links and auth headers must never reach a log line.
  reason = reason.replace(/([?&]token=)[^&\s]+/gi, "$1[redacted]").replace(/\b(token|bearer)\s+\S+/gi, "$1 [redacted]");
  return { status, reason: status ? `${status} ${reason}` : reason };
}
