import { appendFileSync, chmodSync, existsSync, lstatSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { answerClaudeCodeEvent } from "./claude-code-hook.js";
import { buildId, eventDirectory, MAX_HEADER_BYTES, parseHeader, type ServerRequest, type ServerResponse } from "./hook-protocol.js";
import type { ServerPaths } from "./hook-server-paths.js";
import { locateRepo, type LocatedRepo } from "./locate-repo.js";
import { holdsLock, releaseLock } from "./server-lock.js";
import { openWarmRepo, type WarmRepo } from "./warm-repo.js";

/**
 * The resident half of `plumbline hook claude-code`: one process per repository that keeps the
 * engine loaded, HEAD's compiled policy, the working tree's bytes (re-read by stat) and the
 * record cache, and answers each hook call through the same `answerClaudeCodeEvent` as the
 * in-process path. The caller (hook-server-command.ts) holds the lock before loading it.
 */
export interface HookServerOptions {
  readonly repo: LocatedRepo;
  readonly paths: ServerPaths;
  /** Exit after this long without a request. */
  readonly idleMs: number;
  /** A client has this long to send its request. */
  readonly readTimeoutMs?: number;
  /** Requests waiting beyond this many are refused (the client judges in-process). */
  readonly maxQueued?: number;
  /**
   * A request still running after this long means the server is wedged (a hung filesystem, a
   * bug): it exits so the next call starts a fresh one instead of waiting for it every time.
   */
  readonly requestLimitMs?: number;
  /** How often the server checks that its repository, socket and lock are still there. */
  readonly watchMs?: number;
  readonly racyMs?: number;
}

export type ServerExit = "idle" | "stopped" | "repo-gone" | "replaced" | "stale-build" | "signal" | "not-served";

export async function serveRepo(opts: HookServerOptions): Promise<ServerExit> {
  const { paths } = opts;
  const log = logger(paths.log);
  const opened = await openWarmRepo(opts.repo.root, { ...(opts.racyMs !== undefined ? { racyMs: opts.racyMs } : {}) });
  // The client found the repository by stats; serve only if git agrees, or the two could judge different trees.
  if (!opened || opened.root !== opts.repo.root || realpathSync(opened.gitDir) !== opts.repo.gitDir) {
    log(`not serving ${opts.repo.root}: git sees ${opened ? `${opened.root} (${opened.gitDir})` : "no repository"}`);
    releaseLock(paths.pidFile);
    return "not-served";
  }
  const warm: WarmRepo = opened;
  const build = buildId();
  let closing = false;
  let finish: (exit: ServerExit) => void = () => undefined;
  const exited = new Promise<ServerExit>((resolve) => (finish = resolve));

  // Requests run one at a time: they share the warm state, and the machine's cores are better
  // spent by git and the next Node start than by two evaluations interleaving.
  const primeStart = performance.now();
  let chain: Promise<unknown> = warm.prime(new Date()).then(
    () => log(`primed in ${Math.round(performance.now() - primeStart)} ms`),
    (err: Error) => log(`prime failed: ${err.message}`),
  );
  let queued = 0;
  let served = 0;
  const maxQueued = opts.maxQueued ?? 32;

  const bounded = async (job: Promise<void>): Promise<void> => {
    const limit = setTimeout(() => onCrash(new Error(`a request ran for more than ${opts.requestLimitMs ?? 60_000} ms`)), opts.requestLimitMs ?? 60_000);
    try {
      await job;
    } finally {
      clearTimeout(limit);
    }
  };
  const reply = (socket: Socket, response: ServerResponse) => {
    if (!socket.destroyed) socket.end(`${JSON.stringify(response)}\n`);
  };
  const handle = async (socket: Socket, req: ServerRequest, body: Buffer): Promise<void> => {
    if (socket.destroyed) return; // the client gave up and judged in-process
    if (closing) return reply(socket, { ok: false, refused: "the server is stopping" });
    if (req.build !== build) {
      reply(socket, { ok: false, refused: "the server runs another build of Plumbline; it exits" });
      return shutdown("stale-build");
    }
    if (req.op !== "hook") {
      reply(socket, { ok: true, pid: process.pid, served });
      return req.op === "stop" ? shutdown("stopped") : undefined;
    }
    if (req.root !== warm.root) return reply(socket, { ok: false, refused: `this server answers for ${warm.root} only` });
    const raw = body.toString("utf8");
    const dir = eventDirectory(raw, req.cwd);
    if (dir !== null && locateRepo(dir)?.root !== warm.root) return reply(socket, { ok: false, refused: `${dir} is not in ${warm.root}` });
    const answer = await answerClaudeCodeEvent(raw, { agent: req.agent, now: new Date(req.now), cache: req.cache, fallbackCwd: req.cwd, runtime: warm.runtime });
    served++;
    reply(socket, { ok: true, pid: process.pid, answer });
    scheduleFlush();
  };

  const server = createServer((socket) => {
    touch();
    socket.on("error", () => undefined);
    socket.setTimeout(opts.readTimeoutMs ?? 5000, () => socket.destroy());
    readRequest(socket, (req, body) => {
      socket.setTimeout(0);
      if (queued >= maxQueued) return reply(socket, { ok: false, refused: "busy" });
      queued++;
      chain = chain
        .then(() => bounded(handle(socket, req, body)))
        .catch((err: Error) => {
          log(`request failed: ${err.stack ?? err.message}`);
          reply(socket, { ok: false, refused: "the server failed on this request" });
        })
        .finally(() => {
          queued--;
          touch();
        });
    }, (why) => reply(socket, { ok: false, refused: why }));
  });
  server.maxConnections = 256;

  // We hold the lock, so a socket file left behind is a dead server's: remove it, then listen.
  let socketIno: number;
  try {
    rmSync(paths.socket, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(paths.socket, () => {
        server.off("error", reject);
        resolve();
      });
    });
    chmodSync(paths.socket, 0o600);
    socketIno = lstatSync(paths.socket).ino;
  } catch (err) {
    log(`cannot listen on ${paths.socket}: ${(err as Error).message}`);
    server.close();
    releaseLock(paths.pidFile);
    return "not-served";
  }
  server.on("error", (err) => {
    log(`server error: ${err.message}`);
    shutdown("not-served");
  });
  log(`serving ${warm.root} (pid ${process.pid}, idle ${opts.idleMs} ms)`);

  let idle: NodeJS.Timeout | null = null;
  function touch(): void {
    if (closing) return;
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => (queued === 0 ? shutdown("idle") : touch()), opts.idleMs);
  }
  touch();

  let flushTimer: NodeJS.Timeout | null = null;
  function scheduleFlush(): void {
    if (flushTimer || closing) return;
    // Off the answer path, and rarely: the file is for the CLI and the next server, not for the
    // next call, and rewriting it costs more than a warm call. Shutdown saves it too.
    flushTimer = setTimeout(() => {
      flushTimer = null;
      if (!closing) warm.flush().catch((err: Error) => log(`record cache not saved: ${err.message}`));
    }, 10_000);
  }

  const watch = setInterval(() => {
    if (!existsSync(warm.root) || !existsSync(join(warm.gitDir, "HEAD"))) return shutdown("repo-gone");
    const st = lstatSync(paths.socket, { throwIfNoEntry: false });
    if (!st || st.ino !== socketIno || !holdsLock(paths.pidFile)) shutdown("replaced");
  }, opts.watchMs ?? 1000);

  function shutdown(exit: ServerExit): void {
    if (closing) return;
    closing = true;
    clearInterval(watch);
    if (idle) clearTimeout(idle);
    if (flushTimer) clearTimeout(flushTimer);
    server.close();
    const st = lstatSync(paths.socket, { throwIfNoEntry: false });
    if (st && st.ino === socketIno) rmSync(paths.socket, { force: true });
    releaseLock(paths.pidFile);
    log(`exit: ${exit}`);
    // A vanished repository must not be recreated by writing the record cache into it.
    const saved = exit === "repo-gone" ? Promise.resolve() : warm.flush().catch(() => undefined);
    void saved.then(() => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      process.off("uncaughtException", onCrash);
      finish(exit);
    });
  }
  const onSignal = () => shutdown("signal");
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // A bug must not leave a socket nobody answers: clients would wait for it until their timeout.
  function onCrash(err: Error): void {
    log(`crashed: ${err.stack ?? err.message}`);
    const st = lstatSync(paths.socket, { throwIfNoEntry: false });
    if (st && st.ino === socketIno) rmSync(paths.socket, { force: true });
    releaseLock(paths.pidFile);
    process.exit(1);
  }
  process.on("uncaughtException", onCrash);
  return exited;
}

/** Reads one header line and the body it announces, within the protocol's bounds. */
function readRequest(socket: Socket, onRequest: (req: ServerRequest, body: Buffer) => void, onBad: (why: string) => void): void {
  let head = Buffer.alloc(0);
  let req: ServerRequest | null = null;
  const body: Buffer[] = [];
  let have = 0;
  let done = false;
  const fail = (why: string) => {
    done = true;
    onBad(why);
  };
  socket.on("data", (chunk: Buffer) => {
    if (done) return;
    if (req === null) {
      head = Buffer.concat([head, chunk]);
      const nl = head.subarray(0, MAX_HEADER_BYTES + 1).indexOf(10);
      if (nl === -1) return head.length > MAX_HEADER_BYTES ? fail("request header too large") : undefined;
      req = parseHeader(head.subarray(0, nl).toString("utf8"));
      if (req === null) return fail("malformed request");
      chunk = head.subarray(nl + 1);
    }
    have += chunk.length;
    body.push(chunk);
    if (have > req.bytes) return fail("more bytes than announced");
    if (have === req.bytes) {
      done = true;
      onRequest(req, Buffer.concat(body));
    }
  });
}

/** Appends to the server log, which is kept small: it is for a human wondering what the server did. */
function logger(file: string): (line: string) => void {
  return (line) => {
    try {
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 256 * 1024) renameSync(file, `${file}.1`);
      appendFileSync(file, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    } catch {
      // Logging must never be why a hook goes unanswered.
    }
  };
}
