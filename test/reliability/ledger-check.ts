import type { Redis } from "ioredis";
import { LedgerKey } from "../../src/core/ledger.js";
import { findBySha, verifyLedger } from "../../src/store/ledger-store.js";
import type { RedisKeys, RepoScope } from "../../src/store/redis-keys.js";

/** The ledger key given to worker children (LEDGER_KEY), so their entries can be verified here. */
export const TEST_LEDGER_KEY = "0f".repeat(32);

export interface LedgerCheck {
  /** False while the worker does not write the ledger yet (then nothing was checked). */
  readonly present: boolean;
  readonly ok: boolean;
  readonly entries: number;
  readonly missing: readonly string[];
  readonly note: string;
}

/**
 * When the worker writes the ledger: the chain verifies end to end (no gap, no fork, no
 * duplicate sequence number) and every SHA in `mustHave` has at least one entry.
 */
export async function checkLedger(redis: Redis, keys: RedisKeys, scope: RepoScope, mustHave: readonly string[]): Promise<LedgerCheck> {
  if ((await redis.exists(keys.ledger(scope))) === 0) {
    return { present: false, ok: true, entries: 0, missing: [], note: "the worker writes no ledger entries yet: gap/duplicate checks left for the lead" };
  }
  const result = await verifyLedger(redis, keys, scope, new LedgerKey(Buffer.from(TEST_LEDGER_KEY, "utf8")));
  const missing: string[] = [];
  for (const sha of mustHave) if ((await findBySha(redis, keys, scope, sha)).length === 0) missing.push(sha);
  return { present: true, ok: result.ok && missing.length === 0, entries: result.checked, missing, note: result.ok ? `chain of ${result.checked} entries verifies` : `chain broken: ${JSON.stringify(result.firstBad)}` };
}
