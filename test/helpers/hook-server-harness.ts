import { spawn } from "node:child_process";
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as ClientModule from "../../src/hooks/hook-client.js";
import type * as ProtocolModule from "../../src/hooks/hook-protocol.js";
import { runCli } from "./run-cli.js";

/**
 * Drives real hook servers from tests: the built binary starts them, and the built protocol
 * module talks to them (a server refuses clients of another build, and the tests run from src/).
 */

const DIST = join(import.meta.dirname, "..", "..", "dist", "hooks");
const BIN = join(import.meta.dirname, "..", "..", "bin", "plumbline.js");
const client = async () => (await import(pathToFileURL(join(DIST, "hook-client.js")).href)) as typeof ClientModule;
const protocol = async () => (await import(pathToFileURL(join(DIST, "hook-protocol.js")).href)) as typeof ProtocolModule;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for calls that must go through the server: a loaded machine may take a while to start one. */
export const VIA_SERVER = { PLUMBLINE_HOOK_SERVER_TIMEOUT_MS: "30000", PLUMBLINE_HOOK_SERVER_IDLE_MS: "60000" };
export const IN_PROCESS = { PLUMBLINE_HOOK_SERVER: "0" };

export function hookSync(dir: string, input: string, env: Record<string, string> = VIA_SERVER, args: string[] = []): CliResult {
  return runCli(["hook", "claude-code", ...args], { cwd: dir, input, env });
}

/** The same, without blocking, so several clients can run at once. */
export function hookAsync(dir: string, input: string, env: Record<string, string> = VIA_SERVER): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "hook", "claude-code"], { cwd: dir, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

export function serverDir(repoDir: string): string {
  return join(realpathSync(join(repoDir, ".git")), "plumbline", "hook-server");
}

export function pidFromFile(repoDir: string): number | null {
  try {
    return Number(readFileSync(join(serverDir(repoDir), "server.pid"), "utf8").trim()) || null;
  } catch {
    return null;
  }
}

/** What a running server says about itself, or null when none answers. */
export async function ping(repoDir: string): Promise<{ pid: number; served: number } | null> {
  const [{ exchange }, { buildId, encodeRequest }] = await Promise.all([client(), protocol()]);
  const r = await exchange(join(serverDir(repoDir), "hook.sock"), encodeRequest({ op: "ping", build: buildId(), bytes: 0 }, null), Date.now() + 5000);
  return typeof r === "object" && r.ok ? { pid: r.pid, served: r.served ?? 0 } : null;
}

/** Sends raw bytes to a repository's server and returns its answer line, parsed. */
export async function sendRaw(repoDir: string, bytes: Buffer): Promise<unknown> {
  const { exchange } = await client();
  return exchange(join(serverDir(repoDir), "hook.sock"), bytes, Date.now() + 5000);
}

export async function buildOf(): Promise<string> {
  return (await protocol()).buildId();
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every hook-server process for `repoDir`, found by its command line (the title names the
 * repository). Linux only; elsewhere the pid file is all there is to go by.
 */
export function serverProcesses(repoDir: string): number[] {
  let root: string;
  try {
    root = realpathSync(repoDir);
  } catch {
    return [];
  }
  let procs: string[];
  try {
    procs = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    const pid = pidFromFile(repoDir);
    return pid !== null && alive(pid) ? [pid] : [];
  }
  return procs.map(Number).filter((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      return cmd.includes("hook-server") && cmd.includes(root) && !cmd.includes("--stop");
    } catch {
      return false;
    }
  });
}

export async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** Stops the repository's server the documented way; anything still running after that is killed and reported. */
export async function stopServers(repoDir: string): Promise<number[]> {
  runCli(["hook-server", "--stop", repoDir]);
  await waitFor(() => serverProcesses(repoDir).length === 0, 5000);
  const strays = serverProcesses(repoDir);
  for (const pid of strays) process.kill(pid, "SIGKILL");
  return strays;
}
