import { createHmac } from "node:crypto";

/**
 * A webhook body with placeholders (`__AFTER__`, `__BRANCH__`…) in place of the values that
 * change per delivery. Load generators send thousands of deliveries per second; building each
 * payload from git (as the fake's event builders do) would cost more than the server under test.
 * A template is made once from a real payload, so the shape is GitHub's.
 */
export interface DeliveryTemplate {
  readonly event: string;
  readonly body: string;
}

export type Subs = Readonly<Record<string, string>>;

/** Replaces every occurrence of each real value (a SHA, a branch name) by its placeholder. */
export function templateOf(event: string, payload: object, placeholders: Subs): DeliveryTemplate {
  let body = JSON.stringify(payload);
  for (const [token, real] of Object.entries(placeholders)) body = body.split(real).join(token);
  return { event, body };
}

export function renderBody(t: DeliveryTemplate, subs: Subs): Buffer {
  let body = t.body;
  for (const [token, value] of Object.entries(subs)) body = body.split(token).join(value);
  return Buffer.from(body);
}

/** The headers GitHub sends, signed over the exact bytes (HMAC-SHA256, plus the legacy SHA-1). */
export function githubHeaders(event: string, deliveryId: string, body: Buffer, secret: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "content-length": String(body.length),
    "user-agent": "GitHub-Hookshot/bench",
    "x-github-event": event,
    "x-github-delivery": deliveryId,
    "x-github-hook-id": "424242",
    "x-github-hook-installation-target-type": "integration",
    "x-hub-signature": `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`,
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
  };
}
