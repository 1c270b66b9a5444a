import type { IncomingMessage, ServerResponse } from "node:http";
import type { Core } from "./core.js";
import type { RecordedRequest } from "./server.js";

/**
 * The archive host the tarball endpoint redirects to. It is a second origin (its own port),
 * as codeload.github.com is, so clients drop the Authorization header on the redirect.
 */
export function createCodeloadHandler(core: Core, requests: RecordedRequest[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? "/", core.codeloadUrl);
    const record: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, url: url.pathname + url.search, status: 404, at: core.clock.now(), auth: "none" };
    requests.push(record);
    const link = /^\/[^/]+\/[^/]+\/legacy\.tar\.gz\//.test(url.pathname) ? core.links.resolve(url.searchParams.get("token") ?? "") : null;
    const repo = link ? core.state.repos.get(link.repoId) : undefined;
    if (!link || !repo || req.method !== "GET") {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("404: Not Found");
      return;
    }
    record.status = 200;
    res.writeHead(200, {
      "content-type": "application/x-gzip",
      "content-disposition": `attachment; filename=${link.prefix.replace(/\/$/, "")}.tar.gz`,
    });
    const stream = repo.store.archive(link.sha, link.prefix);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  };
}
