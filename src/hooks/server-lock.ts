import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";

/**
 * One hook server per repository: the pid file is created exclusively (O_EXCL), so of two
 * servers starting at once only one gets it. A pid file whose process is gone is stale and
 * taken over. If two servers ever both took over the same stale file, the loser notices that
 * the file no longer names it (`holdsLock`) and exits: the watchdog in hook-server.ts asks.
 */
export function acquireLock(pidFile: string, opts: { staleAfterMs?: number; socketAnswers?: boolean } = {}): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(pidFile, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = lockHolder(pidFile);
    if (holder !== null && !stale(pidFile, holder, opts)) return false;
    rmSync(pidFile, { force: true });
  }
  return false;
}

/** The pid named in the lock file, or null when there is none. */
export function lockHolder(pidFile: string): number | null {
  try {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function holdsLock(pidFile: string): boolean {
  return lockHolder(pidFile) === process.pid;
}

/** Removes the lock only if it is still ours: never another server's. */
export function releaseLock(pidFile: string): void {
  if (holdsLock(pidFile)) rmSync(pidFile, { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which a reused pid can.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A holder that is gone is stale. One that is alive is stale only when it has held the lock for
 * long without its socket answering: the pid was reused by an unrelated process.
 */
function stale(pidFile: string, holder: number, opts: { staleAfterMs?: number; socketAnswers?: boolean }): boolean {
  if (holder === process.pid) return true;
  if (!processAlive(holder)) return true;
  if (opts.socketAnswers !== false) return false;
  try {
    return Date.now() - statSync(pidFile).mtimeMs > (opts.staleAfterMs ?? 10_000);
  } catch {
    return true;
  }
}
