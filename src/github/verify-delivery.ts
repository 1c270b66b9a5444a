import { verify } from "@octokit/webhooks-methods";

/** A webhook delivery whose signature checked out. */
export interface Delivery {
  readonly id: string;
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

export type Refusal = { readonly status: number; readonly error: string };

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * What GitHub sent, or why it is refused. The signature is checked with @octokit/webhooks-methods
 * (the same check Probot's middleware makes: `sha256=` + lower-case hex HMAC of the exact body,
 * compared in constant time) before the body is parsed. Probot's middleware was not used for
 * this because it builds an authenticated Octokit per delivery, which the handler, only
 * enqueueing, never uses (~0.3 ms of the webhook thread per delivery in the soak's profile).
 */
export async function verifyDelivery(headers: Record<string, string | string[] | undefined>, body: string, secret: string): Promise<Delivery | Refusal> {
  const missing = ["x-github-event", "x-hub-signature-256", "x-github-delivery"].filter((h) => !header(headers, h));
  if (missing.length > 0) return { status: 400, error: `Required headers missing: ${missing.join(", ")}` };
  const type = header(headers, "content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) return { status: 415, error: `Unsupported "Content-Type" header value. Must be "application/json", got ${JSON.stringify(type)}` };
  if (body.length === 0 || !(await verify(secret, body, header(headers, "x-hub-signature-256")!))) return { status: 400, error: "signature does not match event payload and secret" };
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return { status: 400, error: "payload is not valid JSON" };
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return { status: 400, error: "payload is not a JSON object" };
  return { id: header(headers, "x-github-delivery")!, name: header(headers, "x-github-event")!, payload: payload as Record<string, unknown> };
}
