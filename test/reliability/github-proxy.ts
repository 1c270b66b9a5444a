import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

/**
 * A proxy in front of the GitHub fake that can rewrite chosen answers: what a compromised or
 * buggy upstream, or a repository too big to build for real (10⁶ tree entries), would send.
 */

export interface Upstream {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: Buffer | string | object;
}

export type Rule = (req: { method: string; url: URL }, forward: () => Promise<Upstream>) => Promise<Answer | null> | Answer | null;

export interface GitHubProxy {
  readonly url: string;
  /** Rules are tried in order; the first non-null answer wins, else the request is forwarded. */
  readonly rules: Rule[];
  close(): Promise<void>;
}

export async function startGitHubProxy(target: string): Promise<GitHubProxy> {
  const rules: Rule[] = [];
  const server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const url = new URL(req.url ?? "/", target);
      const forward = async (): Promise<Upstream> => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length", "connection", "accept-encoding"].includes(k)).map(([k, v]) => [k, String(v)]));
        const r = await fetch(`${target}${url.pathname}${url.search}`, { method: req.method, headers, redirect: "manual", ...(body.length ? { body: new Uint8Array(body) } : {}) });
        const buf = Buffer.from(await r.arrayBuffer());
        const out = Object.fromEntries([...r.headers].filter(([k]) => !["content-length", "transfer-encoding", "content-encoding", "connection"].includes(k)));
        return { status: r.status, headers: out, body: buf, json: <T>() => JSON.parse(buf.toString("utf8")) as T };
      };
      let answer: Answer | null = null;
      for (const rule of rules) {
        answer = await rule({ method: req.method ?? "GET", url }, forward);
        if (answer) break;
      }
      const final = answer ?? (await forward());
      const payload = Buffer.isBuffer(final.body) ? final.body : Buffer.from(typeof final.body === "string" ? final.body : JSON.stringify(final.body));
      const headers: Record<string, string> = { ...(final.headers ?? {}) };
      if (!Buffer.isBuffer(final.body) && typeof final.body !== "string") headers["content-type"] = "application/json; charset=utf-8";
      res.writeHead(final.status, { ...headers, "content-length": String(payload.length) }).end(payload);
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rules,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** One ustar entry, written by hand so it can say what no honest archiver would. */
export interface TarEntry {
  readonly name: string;
  /** "0" file, "1" hard link, "2" symlink, "5" directory. */
  readonly type: "0" | "1" | "2" | "5";
  readonly content?: Buffer | string;
  readonly linkname?: string;
}

export function tarGz(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === "0" ? Buffer.from(e.content ?? "") : Buffer.alloc(0);
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, "utf8");
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write(e.type, 156);
    if (e.linkname) h.write(e.linkname, 157, 100, "utf8");
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
