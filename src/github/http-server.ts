import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, type ApplicationFunction, type Probot } from "probot";

/** GitHub does not send payloads over 25 MB; anything larger is refused before it is read. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface WebhookServer {
  readonly server: Server;
  readonly url: string;
  readonly webhookUrl: string;
  close(): Promise<void>;
}

/**
 * The webhook endpoint: Probot verifies `X-Hub-Signature-256` and dispatches to handlers that
 * only enqueue. Size is checked from the headers and while streaming, so a hostile body costs
 * bounded memory.
 */
export async function startWebhookServer(opts: { probot: Probot; app: ApplicationFunction; port: number; host: string; webhookPath: string; health?: () => Promise<Record<string, unknown>> }): Promise<WebhookServer> {
  const middleware = await createNodeMiddleware(opts.app, { probot: opts.probot, webhooksPath: opts.webhookPath });
  const server = createServer((req, res) => {
    void route(req, res).catch((err) => {
      opts.probot.log.error({ err: (err as Error).message }, "request failed");
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
    if (path === opts.webhookPath && req.method === "POST") {
      const declared = Number(req.headers["content-length"]);
      if (!req.headers["content-length"] || !Number.isFinite(declared)) {
        reject(res, 411, "Content-Length is required");
        return;
      }
      if (declared > MAX_WEBHOOK_BYTES) {
        reject(res, 413, `payload of ${declared} bytes exceeds ${MAX_WEBHOOK_BYTES}`);
        return;
      }
      let seen = 0;
      req.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > declared || seen > MAX_WEBHOOK_BYTES) req.destroy(new Error("body larger than declared"));
      });
    }
    await middleware(req, res, () => {
      if (!res.headersSent) res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
    });
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

function reject(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { "content-type": "application/json", connection: "close" }).end(JSON.stringify({ error: message }));
}
