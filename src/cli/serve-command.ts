import { ConfigError, loadAppConfig } from "../github/app-config.js";
import { startPlumbline } from "../runtime/start-plumbline.js";
import type { Io } from "./io.js";
import { redactUrl } from "../store/redact-url.js";

/** `plumbline serve` (webhooks + workers) and `plumbline worker` (workers only, to scale out). */
export function serveCommand(mode: "serve" | "worker") {
  return async (_args: string[], io: Io): Promise<number> => {
    let config;
    try {
      config = loadAppConfig(process.env, { needsWebhooks: mode === "serve" });
    } catch (err) {
      if (err instanceof ConfigError) {
        io.stderr(err.message + "\n");
        return 2;
      }
      throw err;
    }
    let running;
    try {
      running = await startPlumbline(config, { web: mode === "serve", workers: true });
    } catch (err) {
      io.stderr(`${err instanceof ConfigError ? err.message : `Plumbline cannot start: ${(err as Error).message} (REDIS_URL=${redactUrl(config.redisUrl)})`}\n`);
      return 2;
    }
    if (running.web) io.stderr(`plumbline: listening for GitHub webhooks on ${running.web.webhookUrl}\n`);
    io.stderr(`plumbline: ${config.workerConcurrency} evaluation worker(s) running; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await running.close();
    return 0;
  };
}

