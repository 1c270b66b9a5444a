import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { Core } from "./core.js";
import type { Auth } from "./installation-tokens.js";
import type { RepoRecord } from "./state.js";

export interface Ctx {
  core: Core;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (`{}` when there was none). */
  body: Record<string, unknown>;
  params: Record<string, string>;
  auth: Auth | null;
  /** Set when the route names `:owner/:repo` and the caller may see that repository. */
  repo: RepoRecord;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes or a stream instead of JSON. */
  raw?: Buffer | Readable;
}

/** Who may call a route: the app itself (JWT), an installation token, or no one in particular. */
export type RouteAuth = "app" | "installation" | "none";

export interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  keys: string[];
  auth: RouteAuth;
  handler: (ctx: Ctx) => Promise<Reply> | Reply;
}

/**
 * `:name` matches one segment, `*name` the rest of a path (refs and file paths have slashes).
 * Routes are tried in order, so specific suffixes (`/commits/*ref/check-runs`) go first.
 */
export class Router {
  readonly routes: Route[] = [];

  add(method: string, template: string, auth: RouteAuth, handler: Route["handler"]): this {
    const keys: string[] = [];
    const source = template.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/([:*])(\w+)/g, (_m, kind: string, key: string) => {
      keys.push(key);
      return kind === ":" ? "([^/]+)" : "(.+)";
    });
    this.routes.push({ method, template, pattern: new RegExp(`^${source}/?$`), keys, auth, handler });
    return this;
  }

  get(t: string, a: RouteAuth, h: Route["handler"]): this { return this.add("GET", t, a, h); }
  post(t: string, a: RouteAuth, h: Route["handler"]): this { return this.add("POST", t, a, h); }
  patch(t: string, a: RouteAuth, h: Route["handler"]): this { return this.add("PATCH", t, a, h); }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { route, params };
    }
    return null;
  }
}
