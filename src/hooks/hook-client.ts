import type { ChildProcess } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { buildId, encodeRequest, eventDirectory, MAX_RESPONSE_BYTES, parseResponse, type HookRequest, type ServerResponse, type WireAnswer } from "./hook-protocol.js";
import { isPrivateDir, serverPaths, type ServerPaths } from "./hook-server-paths.js";
import { GIT_DISCOVERY_ENV, locateRepo } from "./locate-repo.js";
import { lockHolder, processAlive } from "./server-lock.js";

/**
 * The client half of `plumbline hook claude-code`: node builtins and a few small modules, never
 * the engine, so a call served by a warm server costs little more than Node's start. Any doubt
 * (no server yet, refused, crashed, too slow) returns null and the caller judges in-process,
 * which fails closed on its own errors: the server can only make the hook faster.
 */
export interface ClientOptions {
  readonly agent: string;
  readonly cache: boolean;
  readonly now: Date;
  /** The process's working directory: the event's `cwd` when it names none. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** How long a call waits for the server, start-up included, before judging in-process. */
const DEFAULT_TIMEOUT_MS = 2000;
const POLL_MS = 20;
const BIN = fileURLToPath(new URL("../../bin/plumbline.js", import.meta.url));

export async function askHookServer(raw: string, opts: ClientOptions): Promise<WireAnswer | null> {
  if (!serverWanted(opts.env)) return null;
  const dir = eventDirectory(raw, opts.cwd);
  if (dir === null) return null;
  const repo = locateRepo(dir);
  if (repo === null || !ownedByMe(repo.gitDir)) return null;
  const paths = serverPaths(repo.gitDir);
  const timeoutMs = Number(opts.env["PLUMBLINE_HOOK_SERVER_TIMEOUT_MS"]) || DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const body = Buffer.from(raw, "utf8");
  const header: HookRequest = { op: "hook", build: buildId(), root: repo.root, cwd: opts.cwd, agent: opts.agent, cache: opts.cache, now: opts.now.getTime(), bytes: body.length };
  const request = encodeRequest(header, body);

  // A server directory someone opened up is never used, nor replaced: git and the user decide.
  if (existsSync(paths.dir) && !isPrivateDir(paths.dir)) return null;
  let result = isPrivateDir(paths.dir) ? await exchange(paths.socket, request, deadline) : "unreachable";
  if (result === "unreachable") {
    const child = await startServer(repo.root, paths, opts.env);
    let failed = false;
    // A server that exits with an error will not answer: judge in-process at once.
    child?.once("exit", (code) => (failed = code !== 0));
    // Waiting for the server we just started costs about what judging in-process costs, and
    // leaves one warm process instead of two cold ones fighting for the CPU (docs/agent-hooks.md).
    while (result === "unreachable" && !failed && Date.now() + POLL_MS < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      result = isPrivateDir(paths.dir) ? await exchange(paths.socket, request, deadline) : "unreachable";
    }
  }
  return typeof result === "object" && result.ok && result.answer ? result.answer : null;
}

/** Sends one request; "unreachable" when nobody listens, "failed" for anything else that is not an answer. */
export function exchange(socketPath: string, request: Buffer, deadline: number): Promise<ServerResponse | "unreachable" | "failed"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const socket = connect(socketPath);
    const done = (r: ServerResponse | "unreachable" | "failed") => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done("failed"), Math.max(0, deadline - Date.now()));
    socket.on("connect", () => socket.write(request));
    socket.on("error", (err: NodeJS.ErrnoException) => done(err.code === "ENOENT" || err.code === "ECONNREFUSED" ? "unreachable" : "failed"));
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) return done("failed");
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      const nl = all.indexOf(10);
      if (nl !== -1) done(parseResponse(all.subarray(0, nl).toString("utf8")) ?? "failed");
    });
    socket.on("close", () => done("failed"));
  });
}

/** Starts the server for `root`, detached, unless one is already starting (it holds the lock). */
async function startServer(root: string, paths: ServerPaths, env: ClientOptions["env"]): Promise<ChildProcess | null> {
  const holder = lockHolder(paths.pidFile);
  if (holder !== null && processAlive(holder) && !lockIsOld(paths.pidFile)) return null;
  const { spawn } = await import("node:child_process");
  // Its git must see what this process's git would: serverWanted already ruled out GIT_DIR and co.
  const child = spawn(process.execPath, [BIN, "hook-server", root], { detached: true, stdio: "ignore", cwd: root, env: { ...env } });
  child.on("error", () => undefined);
  child.unref();
  return child;
}

function lockIsOld(pidFile: string): boolean {
  try {
    return Date.now() - statSync(pidFile).mtimeMs > 10_000;
  } catch {
    return true;
  }
}

/** PLUMBLINE_HOOK_SERVER=0 turns the server off; so does anything that makes git see another repository. */
function serverWanted(env: ClientOptions["env"]): boolean {
  const flag = env["PLUMBLINE_HOOK_SERVER"];
  if (flag === "0" || flag === "off" || flag === "false") return false;
  if (process.platform === "win32") return false;
  return GIT_DISCOVERY_ENV.every((name) => env[name] === undefined);
}

/** A repository owned by someone else is one git itself may refuse (safe.directory): git decides. */
function ownedByMe(gitDir: string): boolean {
  try {
    return statSync(gitDir).uid === process.getuid?.();
  } catch {
    return false;
  }
}
