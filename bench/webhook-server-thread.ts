import { isMainThread, parentPort, workerData } from "node:worker_threads";
import pino from "pino";
import { loadAppConfig } from "../src/github/app-config.js";
import { startPlumbline } from "../src/runtime/start-plumbline.js";
import { startTsThread } from "./ts-thread.js";

/**
 * The real webhook server (`startPlumbline` with web on, workers off) on its own thread of
 * the calling process. In production it shares its event loop with nothing; here the fake
 * GitHub answering the workers' API calls lives in the main thread, and on the same loop
 * its work would show up as webhook latency that no deployment would have.
 */

interface ServerThreadData {
  readonly role: "plumbline-webhook-server";
  readonly env: Record<string, string>;
  readonly prefix: string;
}

export interface ServerThread {
  readonly webhookUrl: string;
  /** The server thread's event-loop utilisation since the previous call (0–1): how busy the server itself was. */
  busy(): Promise<number>;
  close(): Promise<void>;
}

export async function startServerThread(env: Record<string, string>, prefix: string): Promise<ServerThread> {
  const data: ServerThreadData = { role: "plumbline-webhook-server", env, prefix };
  const thread = startTsThread(new URL("./webhook-server-thread.ts", import.meta.url), data);
  const webhookUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("webhook server thread did not start within 30 s")), 30_000);
    thread.once("message", (m: { url?: string; error?: string }) => {
      clearTimeout(timer);
      if (m.url) resolve(m.url);
      else reject(new Error(`webhook server thread: ${m.error}`));
    });
    thread.once("error", (e) => { clearTimeout(timer); reject(e); });
  });
  let last = thread.performance.eventLoopUtilization();
  return {
    webhookUrl,
    async busy() {
      const now = thread.performance.eventLoopUtilization();
      const delta = thread.performance.eventLoopUtilization(now, last);
      last = now;
      return delta.utilization;
    },
    async close() {
      const closed = new Promise<void>((resolve) => thread.once("message", () => resolve()));
      thread.postMessage("close");
      await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
      await thread.terminate();
    },
  };
}

if (!isMainThread && (workerData as ServerThreadData | null)?.role === "plumbline-webhook-server" && parentPort) {
  const { env, prefix } = workerData as ServerThreadData;
  const port = parentPort;
  try {
    const app = await startPlumbline(loadAppConfig(env), { web: true, workers: false, prefix, log: pino({ level: "silent" }) });
    port.on("message", (m) => {
      if (m === "close") void app.close().finally(() => port.postMessage("closed"));
    });
    port.postMessage({ url: app.web!.webhookUrl });
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
  }
}
