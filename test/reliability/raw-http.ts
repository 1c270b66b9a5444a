import { createHmac } from "node:crypto";
import { request } from "node:http";
import { connect } from "node:net";

/** HTTP with full control over headers and body, for what GitHub's client would never send. */

export const sign256 = (secret: string, body: Buffer | string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

export interface RawResponse {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

export function postRaw(url: string, headers: Record<string, string>, body: Buffer | string, timeoutMs = 15_000): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-length": String(Buffer.byteLength(body)), ...headers }, timeout: timeoutMs }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/** Headers GitHub sends with every delivery (signature supplied by the caller). */
export const deliveryHeaders = (event: string, deliveryId: string) => ({
  "content-type": "application/json",
  "user-agent": "GitHub-Hookshot/reliability",
  "x-github-event": event,
  "x-github-delivery": deliveryId,
});

export interface StreamResult {
  /** First status line the server answered with (0: none before the socket closed). */
  readonly status: number;
  readonly bytesSent: number;
  readonly ms: number;
}

/**
 * Writes a request head then streams `totalBytes` of body from one reused 64 KiB chunk (so the
 * client side costs no memory) until the server answers or closes. `mode` picks the framing:
 * an honest Content-Length, chunked with none, or a Content-Length far smaller than the body.
 */
export function streamBody(url: string, headers: Record<string, string>, totalBytes: number, mode: "content-length" | "chunked" | "lying", timeoutMs = 30_000): Promise<StreamResult> {
  const u = new URL(url);
  const started = performance.now();
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    let status = 0;
    let sent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, bytesSent: sent, ms: performance.now() - started });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on("data", (d: Buffer) => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(d.toString("latin1"));
      if (m && !status) status = Number(m[1]);
      if (status) setTimeout(finish, 300);
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("connect", () => {
      const framing = mode === "chunked" ? { "transfer-encoding": "chunked" } : { "content-length": String(mode === "lying" ? 1000 : totalBytes) };
      const head = [`POST ${u.pathname} HTTP/1.1`, `host: ${u.host}`, ...Object.entries({ ...headers, ...framing }).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
      socket.write(head);
      // Give an early answer 200 ms to arrive before flooding: once the server closes with our
      // bytes unread, its kernel resets the connection and the client may lose the answer.
      const pump = () => {
        while (!done && sent < totalBytes) {
          const piece = mode === "chunked" ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk;
          sent += chunk.length;
          if (!socket.write(piece)) {
            socket.once("drain", pump);
            return;
          }
        }
        if (!done && mode === "chunked") socket.write("0\r\n\r\n");
      };
      if (mode === "lying") {
        socket.write(chunk.subarray(0, 1000));
        sent += 1000;
      }
      setTimeout(pump, 200);
    });
  });
}
