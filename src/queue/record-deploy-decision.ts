import type { Redis } from "ioredis";
import { entryWithoutVerdict, type LedgerKey } from "../core/ledger.js";
import { appendEntry } from "../store/ledger-store.js";
import type { RedisKeys } from "../store/redis-keys.js";
import type { DeployJob } from "./deploy-job.js";
import type { DeployDecision } from "./process-deploy-job.js";

/**
 * Deployment answers go into the same provenance ledger as check verdicts: the run id stands
 * where a check run id would, the answer where its conclusion would.
 */
export function recordDeployDecision(redis: Redis, keys: RedisKeys, key: LedgerKey, now: () => Date) {
  return async (job: DeployJob, decision: DeployDecision): Promise<void> => {
    const record = entryWithoutVerdict(
      "deployment",
      {
        at: now(),
        deliveryId: job.deliveryId,
        trigger: `deployment:${job.environment}`,
        installationId: job.installationId,
        repoId: job.repoId,
        repoName: `${job.owner}/${job.repo}`,
        ref: job.ref,
        headSha: job.sha,
        baseSha: null,
        policyFiles: null,
        checkRun: { id: job.runId, conclusion: decision.state },
        timings: {},
      },
      decision.policyDigest,
    );
    await appendEntry(redis, keys, { installationId: job.installationId, repoId: job.repoId }, record, key);
  };
}
