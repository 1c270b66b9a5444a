import { Queue, type ConnectionOptions } from "bullmq";
import type { DeployJob } from "./deploy-job.js";

export const DEPLOY_QUEUE = "plumbline-deploy";

export function createDeployQueue(connection: ConnectionOptions, prefix: string): Queue<DeployJob> {
  return new Queue<DeployJob>(DEPLOY_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { attempts: 3, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600, count: 10_000 } },
  });
}

/** One answer per (run, environment): GitHub accepts only the first. */
export async function enqueueDeploy(queue: Queue<DeployJob>, job: DeployJob): Promise<void> {
  await queue.add("deployment", job, { jobId: `deploy-r${job.repoId}-run${job.runId}-${Buffer.from(job.environment).toString("base64url")}` });
}
