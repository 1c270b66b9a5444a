import { lstatSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where one repository's hook server keeps its socket, lock and log. */
export interface ServerPaths {
  /** A directory only this user can enter (0700): what makes the socket private on every platform. */
  readonly dir: string;
  readonly socket: string;
  /** The lock: holds the pid of the server that owns the socket. */
  readonly pidFile: string;
  readonly log: string;
}

/** sun_path holds 108 bytes on Linux and 104 on macOS; stay below both with the NUL. */
const MAX_SOCKET_PATH = 100;

/**
 * `<gitdir>/plumbline/hook-server/`, next to the record cache, so the server's lifetime follows
 * the repository's. A git dir so deep that the socket path would not fit goes to a private
 * per-user directory under the system temp dir instead, named by a hash of the git dir.
 */
export function serverPaths(gitDir: string): ServerPaths {
  let dir = join(gitDir, "plumbline", "hook-server");
  if (join(dir, "hook.sock").length > MAX_SOCKET_PATH) dir = join(userTempDir(), fnv1a(gitDir));
  return { dir, socket: join(dir, "hook.sock"), pidFile: join(dir, "server.pid"), log: join(dir, "server.log") };
}

function userTempDir(): string {
  return join(tmpdir(), `plumbline-${process.getuid?.() ?? "user"}`);
}

/**
 * True when `dir` is a real directory (not a symlink) owned by this user and closed to group and
 * others. Anyone who could create the socket could answer the hook, so neither side uses a
 * directory that fails this.
 */
export function isPrivateDir(dir: string): boolean {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  return st !== undefined && st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0;
}

/** Creates the server directory (and the per-user temp parent when used) private, or throws. */
export function ensurePrivateDir(paths: ServerPaths): void {
  const parents = paths.dir.startsWith(userTempDir()) ? [userTempDir(), paths.dir] : [paths.dir];
  for (const dir of parents) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivateDir(dir)) throw new Error(`${dir} is not a private directory (owned by this user, mode 0700); the hook server will not use it`);
  }
}

/** A short stable name; not a security boundary (the directory check is). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
