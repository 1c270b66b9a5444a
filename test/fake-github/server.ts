import { createHash, randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { ApiError, DOCS, notFound } from "./api-error.js";
import { verifyAppJwt } from "./app-jwt.js";
import type { Core } from "./core.js";
import type { Faults } from "./faults.js";
import { installationRequired, jwtRequired, parseAuthorization, type Auth } from "./installation-tokens.js";
import type { RateLimits } from "./rate-limits.js";
import type { Ctx, Reply, Router } from "./router.js";
import { fullName, type RepoRecord } from "./state.js";

export interface RecordedRequest {
  method: string;
  /** Path without the query string, as the client sent it. */
  path: string;
  /** Path and query string. */
  url: string;
  status: number;
  at: number;
  /** When the answer was sent (clock ms); absent while in flight. */
  answeredAt?: number;
  auth: "app" | "installation" | "none";
  installationId?: number;
  /** Set when an injected fault answered instead of the route. */
  fault?: string;
}

export interface UnexpectedRequest {
  method: string;
  url: string;
  reason: string;
  at: number;
}

export interface ServerDeps {
  core: Core;
  router: Router;
  faults: Faults;
  rateLimits: RateLimits;
  publicKey: KeyObject | null;
  requests: RecordedRequest[];
  unexpected: UnexpectedRequest[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch { /* fall through */ }
  throw new ApiError(400, "Problems parsing JSON");
}

function authenticate(deps: ServerDeps, header: string | undefined): Auth | null {
  const parsed = parseAuthorization(header);
  if (!parsed) return null;
  if (parsed.kind === "app") {
    verifyAppJwt(parsed.credential, deps.publicKey, deps.core.app.id, Math.floor(deps.core.clock.now() / 1000));
    return { kind: "app" };
  }
  if (parsed.kind === "installation") {
    const token = deps.core.tokens.check(parsed.credential);
    return { kind: "installation", installationId: token.installationId, token };
  }
  throw new ApiError(401, "Bad credentials");
}

/** GitHub hides repositories the credential cannot see behind the same 404 as missing ones. */
function visible(repo: RepoRecord, auth: Auth | null): boolean {
  if (!auth || auth.kind === "app") return true;
  if (repo.installationId !== auth.installationId) return false;
  return auth.token.repoIds === null || auth.token.repoIds.has(repo.id);
}

export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { core } = deps;
  return (req, res) => {
    const started = core.clock.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", core.url);
    const record: RecordedRequest = { method, path: url.pathname, url: url.pathname + url.search, status: 0, at: started, auth: "none" };
    deps.requests.push(record);
    let bucketKey: string | null = null;
    let exhausted = false;

    const send = (reply: Reply): void => {
      record.status = reply.status;
      record.answeredAt = core.clock.now();
      // Every answer counts against the budget except 304s, injected faults and the refusal itself.
      if (bucketKey && reply.status !== 304 && !record.fault && !exhausted) deps.rateLimits.consume(bucketKey);
      const headers: Record<string, string> = {
        // The fake clock, so Octokit's auth-app can correct for skew after advanceTime().
        date: new Date(core.clock.now()).toUTCString(),
        "x-github-api-version-selected": "2022-11-28",
        "x-github-request-id": randomUUID().toUpperCase(),
        "x-github-media-type": "github.v3; format=json",
        ...(bucketKey ? deps.rateLimits.headers(bucketKey) : {}),
        ...reply.headers,
      };
      if (reply.raw instanceof Readable) {
        res.writeHead(reply.status, headers);
        reply.raw.on("error", () => res.destroy());
        reply.raw.pipe(res);
        return;
      }
      const payload = reply.raw ?? (reply.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.body)));
      if (!reply.raw && reply.body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
      res.writeHead(reply.status, { ...headers, "content-length": String(payload.length) });
      res.end(payload);
    };
    const fail = (e: unknown): void => {
      if (e instanceof ApiError) return send({ status: e.status, body: e.body(), headers: e.extra.headers });
      const reason = `internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
      deps.unexpected.push({ method, url: record.url, reason, at: started });
      send({ status: 500, body: { message: reason, documentation_url: DOCS } });
    };

    void (async () => {
      // The body is drained first so an early error answer never leaves it unread on the socket.
      const rawBody = method === "GET" || method === "HEAD" ? Promise.resolve({}) : readBody(req);
      rawBody.catch(() => {});
      const fault = deps.faults.take(method, url.pathname);
      if (fault?.latencyMs) await sleep(fault.latencyMs);

      let path = url.pathname;
      const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
      if (byId) {
        const repo = core.state.repos.get(Number(byId[1]));
        if (repo) path = `/repos/${fullName(repo)}${byId[2] ?? ""}`;
      }
      let auth: Auth | null = null;
      let authError: unknown = null;
      try { auth = authenticate(deps, req.headers.authorization); } catch (e) { authError = e; }
      record.auth = auth?.kind ?? "none";
      if (auth?.kind === "installation") record.installationId = auth.installationId;
      const matched = deps.router.match(method, path);
      if (!matched) {
        deps.unexpected.push({ method, url: record.url, reason: "no such endpoint in the fake", at: started });
        throw notFound();
      }
      if (authError) throw authError;
      const { route, params } = matched;
      if (route.auth !== "none" && !auth) throw new ApiError(401, "Requires authentication");
      if (route.auth === "app" && auth?.kind !== "app") throw jwtRequired();
      if (route.auth === "installation" && auth?.kind !== "installation") throw installationRequired();
      if (auth) bucketKey = auth.kind === "app" ? "app" : `installation:${auth.installationId}`;
      if (fault?.dropConnection) {
        record.fault = "dropConnection";
        req.socket.destroy();
        return;
      }
      if (fault?.secondaryRateLimit) {
        record.fault = "secondaryRateLimit";
        throw new ApiError(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.", {
          headers: { "retry-after": String(fault.secondaryRateLimit.retryAfterSeconds) },
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        });
      }
      if (fault?.status) {
        record.fault = `status ${fault.status}`;
        throw new ApiError(fault.status, { 500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable" }[fault.status]);
      }
      if (bucketKey && deps.rateLimits.bucket(bucketKey).remaining <= 0) {
        exhausted = true;
        const who = auth?.kind === "installation" ? `installation ID ${auth.installationId}` : `app ID ${core.app.id}`;
        throw new ApiError(deps.rateLimits.exhaustedStatus, `API rate limit exceeded for ${who}. If you reach out to GitHub Support for help, please include the request ID.`, {
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        });
      }

      let repo: RepoRecord | undefined;
      if (params.owner !== undefined && params.repo !== undefined) {
        const name = `${params.owner}/${params.repo}`;
        repo = core.state.repoByName(name);
        const movedId = repo ? undefined : core.state.movedRepoNames.get(name.toLowerCase());
        const moved = movedId === undefined ? undefined : core.state.repos.get(movedId);
        if (moved && visible(moved, auth)) {
          const rest = path.slice(`/repos/${name}`.length);
          const location = `${core.url}/repositories/${movedId}${rest}${url.search}`;
          return send({
            status: method === "GET" || method === "HEAD" ? 301 : 307,
            body: { message: "Moved Permanently", url: `${core.url}/repositories/${movedId}`, documentation_url: DOCS },
            headers: { location },
          });
        }
        if (!repo || !visible(repo, auth)) throw notFound();
      }

      const body = await rawBody;
      const ctx: Ctx = { core, method, path, query: url.searchParams, headers: req.headers, body, params, auth, repo: repo! };
      const reply = await route.handler(ctx);
      if (method === "GET" && reply.status === 200 && reply.body !== undefined && !reply.raw) {
        // Conditional requests answered 304 do not count against the rate limit, as on GitHub.
        const etag = `W/"${createHash("sha256").update(JSON.stringify(reply.body)).digest("hex").slice(0, 40)}"`;
        if (req.headers["if-none-match"] === etag) return send({ status: 304, headers: { etag } });
        reply.headers = { ...reply.headers, etag };
      }
      send(reply);
    })().catch(fail);
  };
}
