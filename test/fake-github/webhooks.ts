import { createHmac, randomUUID } from "node:crypto";
import type { Clock } from "./clock.js";

export interface DeliverOptions {
  /** Reuse an `X-GitHub-Delivery` (GitHub keeps it on redelivery). */
  deliveryId?: string;
  /** Sign with another secret than the fake's (to test rejection). */
  secret?: string;
  /** Send this exact `X-Hub-Signature-256` value instead of a correct one. */
  signature?: string;
  /** Send these bytes instead of `JSON.stringify(payload)` (signed as sent). */
  rawBody?: string | Buffer;
  /** Defaults to GitHub's 10 s. */
  timeoutMs?: number;
}

export interface DeliverResult {
  /** HTTP status of the receiver; 0 when it timed out or could not be reached. */
  status: number;
  ms: number;
  body: string;
  deliveryId: string;
  /** Set for timeouts, connection failures and payloads GitHub would not send (over 25 MB). */
  error?: "timed out" | "failed to connect" | "payload too large";
}

export interface DeliveryRecord {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
  deliveredAt: number;
  redelivery: boolean;
  durationMs: number;
  status: string;
  statusCode: number;
  requestHeaders: Record<string, string>;
  requestBody: Buffer;
  responseBody: string;
}

export const sign = (secret: string, body: Buffer): string => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/** Sends webhooks the way GitHub does and remembers each attempt for the deliveries API. */
export class Webhooks {
  target: string | null = null;
  readonly deliveries: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private nextId = 90_000_000_000;

  constructor(private readonly clock: Clock, readonly secret: string, private readonly appId: number) {}

  async deliver(event: string, payload: object, opts: DeliverOptions = {}): Promise<DeliverResult> {
    const body = opts.rawBody === undefined ? Buffer.from(JSON.stringify(payload)) : Buffer.from(opts.rawBody);
    const guid = opts.deliveryId ?? randomUUID();
    if (body.length > 25 * 1024 * 1024) return { status: 0, ms: 0, body: "", deliveryId: guid, error: "payload too large" };
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-event": event,
      "x-github-delivery": guid,
      "x-github-hook-id": "424242",
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(this.appId),
      "x-hub-signature": `sha1=${createHmac("sha1", opts.secret ?? this.secret).update(body).digest("hex")}`,
      "x-hub-signature-256": opts.signature ?? sign(opts.secret ?? this.secret, body),
    };
    const p = payload as { action?: unknown; installation?: { id?: unknown }; repository?: { id?: unknown } };
    return this.send({
      event, guid, headers, body, redelivery: false,
      action: typeof p.action === "string" ? p.action : null,
      installationId: typeof p.installation?.id === "number" ? p.installation.id : null,
      repositoryId: typeof p.repository?.id === "number" ? p.repository.id : null,
    }, opts.timeoutMs ?? 10_000);
  }

  /** GitHub answers the redelivery request at once (202) and delivers afterwards. */
  redeliver(id: number): boolean {
    const original = this.deliveries.find((d) => d.id === id);
    if (!original) return false;
    const p = this.send({
      event: original.event, guid: original.guid, headers: original.requestHeaders, body: original.requestBody,
      redelivery: true, action: original.action, installationId: original.installationId, repositoryId: original.repositoryId,
    }, 10_000).catch(() => undefined);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return true;
  }

  /** Resolves once every redelivery started so far has finished. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private async send(
    d: Pick<DeliveryRecord, "event" | "guid" | "redelivery" | "action" | "installationId" | "repositoryId"> & { headers: Record<string, string>; body: Buffer },
    timeoutMs: number,
  ): Promise<DeliverResult> {
    if (!this.target) throw new Error("fake-github: call setWebhookTarget(url) before delivering");
    const started = performance.now();
    const deliveredAt = this.clock.now();
    let status = 0;
    let text = "";
    let error: DeliverResult["error"];
    try {
      const res = await fetch(this.target, { method: "POST", headers: d.headers, body: new Uint8Array(d.body), signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
      status = res.status;
      text = await res.text();
    } catch (e) {
      error = (e as Error).name === "TimeoutError" ? "timed out" : "failed to connect";
    }
    const ms = performance.now() - started;
    this.deliveries.push({
      id: this.nextId++, guid: d.guid, event: d.event, action: d.action, installationId: d.installationId,
      repositoryId: d.repositoryId, deliveredAt, redelivery: d.redelivery, durationMs: ms,
      status: error ?? (status >= 200 && status < 300 ? "OK" : `Invalid HTTP Response: ${status}`),
      statusCode: status, requestHeaders: d.headers, requestBody: d.body, responseBody: text,
    });
    return { status, ms, body: text, deliveryId: d.guid, ...(error ? { error } : {}) };
  }
}
