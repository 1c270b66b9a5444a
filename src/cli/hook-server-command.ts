import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { exchange } from "../hooks/hook-client.js";
import { buildId, encodeRequest } from "../hooks/hook-protocol.js";
import { ensurePrivateDir, isPrivateDir, serverPaths, type ServerPaths } from "../hooks/hook-server-paths.js";
import { locateRepo } from "../hooks/locate-repo.js";
import { acquireLock, lockHolder, processAlive } from "../hooks/server-lock.js";
import { UsageError, type Io } from "./io.js";

export const HOOK_SERVER_USAGE = `Usage: plumbline hook-server [dir] [--idle-timeout MS]
       plumbline hook-server --stop [dir]

The resident server behind \`plumbline hook claude-code\` for the repository containing dir
(default: the current directory). The hook starts it on demand, so running it by hand is only
for watching it; it listens on <gitdir>/plumbline/hook-server/hook.sock (mode 0600, in a 0700
directory) and logs to server.log beside it.
  --stop              stop the repository's server, if one runs
  --idle-timeout MS   exit after MS without a request (default 600000, or PLUMBLINE_HOOK_SERVER_IDLE_MS)
See docs/agent-hooks.md.`;

const DEFAULT_IDLE_MS = 10 * 60 * 1000;

export async function hookServerCommand(args: string[], io: Io, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      stop: { type: "boolean", default: false },
      "idle-timeout": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout(HOOK_SERVER_USAGE + "\n");
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one directory, got ${positionals.length}`);
  const dir = positionals[0] ?? io.cwd;
  const repo = locateRepo(dir);
  if (repo === null) {
    io.stderr(`plumbline hook-server: ${dir} is not in a git working tree the hook server can serve (the hook judges such calls in-process)\n`);
    return 2;
  }
  const paths = serverPaths(repo.gitDir);
  if (values.stop) return stop(paths, io);

  const idleMs = Number(values["idle-timeout"] ?? env["PLUMBLINE_HOOK_SERVER_IDLE_MS"] ?? DEFAULT_IDLE_MS);
  if (!Number.isFinite(idleMs) || idleMs <= 0) throw new UsageError(`--idle-timeout expects a positive number of milliseconds, got ${values["idle-timeout"] ?? env["PLUMBLINE_HOOK_SERVER_IDLE_MS"]}`);
  try {
    ensurePrivateDir(paths);
  } catch (err) {
    io.stderr(`plumbline hook-server: ${(err as Error).message}\n`);
    return 2;
  }
  // Lock before loading the engine: of several servers started at once, the losers leave at once.
  const answering = (await ask(paths, "ping")) === "ok";
  if (answering || !acquireLock(paths.pidFile, { socketAnswers: answering })) {
    io.stderr(`plumbline hook-server: a server already runs for ${repo.root} (pid ${lockHolder(paths.pidFile) ?? "unknown"})\n`);
    return 0;
  }
  // `ps` then says which repository a server belongs to.
  process.title = `plumbline-hook-server ${repo.root}`;
  const { serveRepo } = await import("../hooks/hook-server.js");
  io.stderr(`plumbline hook-server: serving ${repo.root} on ${paths.socket}\n`);
  const exit = await serveRepo({ repo, paths, idleMs, ...racy(env) });
  io.stderr(`plumbline hook-server: exit (${exit})\n`);
  return exit === "not-served" ? 1 : 0;
}

async function stop(paths: ServerPaths, io: Io): Promise<number> {
  const pid = lockHolder(paths.pidFile);
  const answered = isPrivateDir(paths.dir) && (await ask(paths, "stop")) === "ok";
  // One that does not answer (wedged, or another build's, which refuses and exits) gets a signal,
  // if the pid still names a hook server and not a process that reused the number.
  if (!answered && pid !== null && processAlive(pid) && isHookServer(pid)) process.kill(pid, "SIGTERM");
  for (let waited = 0; pid !== null && processAlive(pid) && isHookServer(pid) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  if (pid !== null && processAlive(pid) && isHookServer(pid)) {
    io.stderr(`plumbline hook-server: pid ${pid} did not exit\n`);
    return 1;
  }
  if (!answered && isPrivateDir(paths.dir)) {
    // Nobody answered: whatever is left is a dead server's.
    rmSync(paths.socket, { force: true });
    rmSync(paths.pidFile, { force: true });
  }
  io.stdout(answered ? `stopped the hook server (pid ${pid ?? "unknown"})\n` : pid !== null ? `stopped the hook server (pid ${pid}), which was not answering\n` : "no hook server is running\n");
  return 0;
}

/** Whether `pid` runs a hook server: /proc where there is one, `ps` elsewhere. */
function isHookServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("hook-server");
  } catch {
    const ps = spawnSync("ps", ["-p", String(pid), "-o", "command="], { encoding: "utf8" });
    return ps.status === 0 && ps.stdout.includes("hook-server");
  }
}

async function ask(paths: ServerPaths, op: "ping" | "stop"): Promise<"ok" | "no"> {
  const r = await exchange(paths.socket, encodeRequest({ op, build: buildId(), bytes: 0 }, null), Date.now() + 2000);
  return typeof r === "object" && r.ok ? "ok" : "no";
}

/** Tests shorten git's racy-clean window to exercise the stat comparison itself. */
function racy(env: Readonly<Record<string, string | undefined>>): { racyMs?: number } {
  const v = Number(env["PLUMBLINE_HOOK_SERVER_RACY_MS"]);
  return env["PLUMBLINE_HOOK_SERVER_RACY_MS"] !== undefined && Number.isFinite(v) && v >= 0 ? { racyMs: v } : {};
}
