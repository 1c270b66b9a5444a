import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { verifyDelivery, type Delivery } from "./verify-delivery.js";

/** GitHub does not send payloads over 25 MB; anything larger is refused before it is read. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface WebhookServer {
  readonly server: Server;
  readonly url: string;
  readonly webhookUrl: string;
  close(): Promise<void>;
}

/**
 * The webhook endpoint: the body is read with its size checked from the headers and while
 * streaming (a hostile body costs bounded memory), its `X-Hub-Signature-256` verified
 * (verify-delivery.ts), then handed to a handler that only enqueues: 200 once it has, 500 if
 * it failed (GitHub shows the failed delivery, and it can be redelivered).
 */
export async function startWebhookServer(opts: { secret: string; handle: (delivery: Delivery) => Promise<void>; log: Logger; port: number; host: string; webhookPath: string; health?: () => Promise<Record<string, unknown>> }): Promise<WebhookServer> {
  const server = createServer((req, res) => {
    void route(req, res).catch((err) => {
      opts.log.error({ err: (err as Error).message }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "internal error" }));
    });
  });
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      const body = opts.health ? await opts.health() : { ok: true };
      res.writeHead(body.ok === false ? 503 : 200, { "content-type": "application/json" }).end(JSON.stringify(body));
      return;
    }
    if (path !== opts.webhookPath || req.method !== "POST") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      return;
    }
    const declared = Number(req.headers["content-length"]);
    if (!req.headers["content-length"] || !Number.isFinite(declared)) {
      reject(res, 411, "Content-Length is required");
      return;
    }
    if (declared > MAX_WEBHOOK_BYTES) {
      reject(res, 413, `payload of ${declared} bytes exceeds ${MAX_WEBHOOK_BYTES}`);
      return;
    }
    const body = await readBody(req, declared);
    if (body === null) return;
    const delivery = await verifyDelivery(req.headers, body, opts.secret);
    if (!("id" in delivery)) {
      res.writeHead(delivery.status, { "content-type": "application/json" }).end(JSON.stringify({ error: delivery.error }));
      return;
    }
    try {
      await opts.handle(delivery);
    } catch (err) {
      opts.log.error({ deliveryId: delivery.id, event: delivery.name, err: (err as Error).message }, "webhook handler failed");
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "the delivery could not be queued; redeliver it" }));
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
  };
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address === "0.0.0.0" ? "127.0.0.1" : addr.address;
  const url = `http://${host}:${addr.port}`;
  return {
    server,
    url,
    webhookUrl: `${url}${opts.webhookPath}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The body as text, or null when the request was cut off or ran past its declared length (then destroyed). */
function readBody(req: IncomingMessage, declared: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    req.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > declared || seen > MAX_WEBHOOK_BYTES) {
        req.destroy(new Error("body larger than declared"));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks, seen).toString("utf8")));
    req.on("error", () => resolve(null));
    req.on("close", () => {
      if (!req.complete) resolve(null);
    });
  });
}

function reject(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { "content-type": "application/json", connection: "close" }).end(JSON.stringify({ error: message }));
}
