import { spawn } from "node:child_process";

export class GitError extends Error {
  constructor(readonly args: readonly string[], readonly code: number | null, readonly stderr: string) {
    super(`git ${args.join(" ")} failed${code === null ? "" : ` (exit ${code})`}: ${stderr.trim() || "no output"}`);
    this.name = "GitError";
  }
}

/**
 * Runs git without a shell (arguments never pass through one) and returns stdout. `stdin` is
 * written to git's standard input; `signal` stops git (the promise then rejects).
 */
export function runGit(cwd: string, args: readonly string[], opts: { stdin?: string; signal?: AbortSignal } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args as string[], { cwd, stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"], ...(opts.signal ? { signal: opts.signal } : {}) });
    const out: Buffer[] = [];
    let err = "";
    child.stdout!.on("data", (c: Buffer) => out.push(c));
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", (e) => reject(new GitError(args, null, e.message)));
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new GitError(args, code, err))));
    // git may exit before reading it all (a bad directory): that is its exit code's to report.
    if (opts.stdin !== undefined) child.stdin!.on("error", () => {}).end(opts.stdin);
  });
}
