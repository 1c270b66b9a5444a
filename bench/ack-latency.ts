import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createFakeGitHub } from "../test/fake-github/index.js";
import { startAppUnderTest } from "./app-under-test.js";
import { templateOf, type DeliveryTemplate } from "./delivery-template.js";
import { ackReport, runOpenLoop, type AckReport, type PlannedSend } from "./open-loop.js";
import { deletePrefix, freshPrefix } from "./redis-prefix.js";
import { createSmallRepo, FEATURE_PATH, featureContent } from "./small-repo.js";

/**
 * Webhook acknowledgement latency: signed `push` deliveries at a steady rate, open loop,
 * spread over several repositories, against the real webhook server (Probot signature check,
 * delivery dedupe, pending-SHA record, BullMQ add) with no workers in the process, as in a
 * deployment that runs `plumbline worker` elsewhere. Each delivery names a fresh random head
 * SHA: no worker runs, so nothing reads it, and the handler does the same work as for a real one.
 */

export interface AckOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly repos: number;
  readonly maxInFlight: number;
}

export interface AckResult extends AckReport {
  readonly options: AckOptions;
  /** This process's main event loop (the server; the fake is idle meanwhile) busy share during the measured load (0–1). */
  readonly serverBusy: number;
}

/** A warm-up second at the same rate, not counted: JIT, connection pools and Redis scripts are loaded in any server that has run a while. */
const WARMUP_SECONDS = 1;

export async function measureAck(opts: AckOptions): Promise<AckResult> {
  const fake = await createFakeGitHub({ webhookSecret: `whsec-${randomBytes(12).toString("hex")}` });
  const prefix = freshPrefix("ack");
  let app: Awaited<ReturnType<typeof startAppUnderTest>> | null = null;
  try {
    const { id: inst } = fake.createInstallation({ account: { login: "ackorg", type: "Organization" } });
    const templates: DeliveryTemplate[] = [];
    for (let r = 0; r < opts.repos; r++) {
      const name = `ackorg/repo-${r}`;
      const before = await createSmallRepo(fake, inst, "ackorg", `repo-${r}`);
      const after = await fake.commit(name, { branch: "main", message: "change", files: { [FEATURE_PATH]: featureContent(1) } });
      const payload = await fake.events.push(name, { ref: "main", before, after });
      templates.push(templateOf("push", payload, { __AFTER__: after, __BEFORE__: before }));
    }
    app = await startAppUnderTest(fake, { prefix, workers: false });
    const heads = templates.map(() => randomBytes(20).toString("hex"));
    const plan = (secs: number) => {
      const sends: PlannedSend[] = [];
      for (let i = 0; i < Math.round(opts.rate * secs); i++) {
        const t = i % templates.length;
        const after = randomBytes(20).toString("hex");
        sends.push({ atMs: (i * 1000) / opts.rate, template: t, subs: { __AFTER__: after, __BEFORE__: heads[t]! } });
        heads[t] = after;
      }
      return { url: app!.webhookUrl, secret: fake.webhookSecret, templates, sends, maxInFlight: opts.maxInFlight, timeoutMs: 10_000 };
    };
    await runOpenLoop(plan(WARMUP_SECONDS));
    const elu0 = performance.eventLoopUtilization();
    const result = await runOpenLoop(plan(opts.seconds));
    const serverBusy = performance.eventLoopUtilization(elu0).utilization;
    return { ...ackReport(result), options: opts, serverBusy };
  } finally {
    await app?.close();
    await fake.close();
    await deletePrefix(prefix);
  }
}
