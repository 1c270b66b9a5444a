import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

/** A Redis for the demo: the one at REDIS_URL if it answers, else a private redis-server. */
export interface DemoRedis {
  readonly url: string;
  readonly started: boolean;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    await r.connect();
    const policy = /maxmemory_policy:(\S+)/.exec(await r.info("memory"))?.[1];
    return policy === "noeviction";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export async function ensureDemoRedis(): Promise<DemoRedis> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  if (await answers(url)) return { url, started: false, stop: async () => undefined };
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) {
    throw new Error(
      `No Redis answers at ${url} and redis-server is not installed.\n` +
        "  Debian/Ubuntu: sudo apt-get install -y redis-server   (then run the demo again)\n" +
        "  macOS:         brew install redis\n" +
        "  or point REDIS_URL at a Redis 6.2+ running with maxmemory-policy noeviction.",
    );
  }
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), "plumbline-demo-redis-"));
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
  const started = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await answers(started)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url: started,
    started: true,
    async stop() {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
