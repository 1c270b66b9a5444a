import type { ChildProcess } from "node:child_process";
import { spawnGit } from "./run-git.js";

export interface GitObject {
  sha: string;
  type: "blob" | "tree" | "commit" | "tag";
  data: Buffer;
}

interface Pending {
  resolve: (o: GitObject | null) => void;
  reject: (e: Error) => void;
}

/**
 * One long-lived `git cat-file --batch` per object store: the app under test may fetch
 * thousands of blobs per push, and a process spawn per blob would make the fake, not the
 * app, the bottleneck of every timing test.
 */
export class ObjectReader {
  private child: ChildProcess | null = null;
  private queue: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly gitDir: string) {}

  /** `name` must be a full or abbreviated hex object id; anything else is refused. */
  read(name: string): Promise<GitObject | null> {
    if (!/^[0-9a-f]{4,40}$/.test(name)) return Promise.resolve(null);
    const child = this.start();
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      child.stdin!.write(`${name}\n`);
    });
  }

  close(): void {
    const child = this.child;
    this.child = null;
    if (child) {
      child.stdin!.end();
      child.kill();
    }
    for (const p of this.queue.splice(0)) p.reject(new Error("object reader closed"));
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    const child = spawnGit(this.gitDir, ["cat-file", "--batch"]);
    child.stdout!.on("data", (c: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
      this.drain();
    });
    child.stdin!.on("error", () => {});
    child.on("close", () => {
      if (this.child === child) this.child = null;
      for (const p of this.queue.splice(0)) p.reject(new Error("git cat-file exited"));
    });
    this.child = child;
    return child;
  }

  private drain(): void {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString("utf8");
      const parts = header.split(" ");
      if (parts[1] === "missing" || parts[1] === "ambiguous") {
        this.buf = this.buf.subarray(nl + 1);
        this.queue.shift()?.resolve(null);
        continue;
      }
      const size = Number(parts[2]);
      // Wait until the object body and its trailing newline have fully arrived.
      if (this.buf.length < nl + 1 + size + 1) return;
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + size));
      this.buf = this.buf.subarray(nl + 1 + size + 1);
      this.queue.shift()?.resolve({ sha: parts[0]!, type: parts[1] as GitObject["type"], data });
    }
  }
}
