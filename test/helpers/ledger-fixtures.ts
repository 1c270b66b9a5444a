import { LedgerKey, sealEntry, genesisHash, type LedgerEntry, type LedgerRecord, type StoredEntry } from "../../src/core/ledger.js";

/** A fixed test key (≥ 32 bytes) and a second one for "wrong key" cases. */
export const TEST_KEY_TEXT = "test-ledger-key-0123456789abcdef0123456789abcdef";
export const TEST_KEY = new LedgerKey(Buffer.from(TEST_KEY_TEXT, "utf8"));
export const OTHER_KEY = new LedgerKey(Buffer.from("another-ledger-key-fedcba9876543210fedcba9876543210", "utf8"));

export const shaOf = (i: number) => i.toString(16).padStart(40, "0");

/** A plausible record: a verdict on commit `i`, small but with every section filled. */
export function sampleRecord(i: number, scope = { installationId: 7, repoId: 4242 }, repoName: string | null = "acme/app"): LedgerRecord {
  return {
    v: 1,
    at: new Date(Date.UTC(2026, 10, 26, 0, 0, i % 60)).toISOString(),
    deliveryId: `delivery-${i}`,
    trigger: i % 2 ? "push" : "pull_request",
    installationId: scope.installationId,
    repoId: scope.repoId,
    repoName,
    ref: "refs/heads/claude/fix",
    headSha: shaOf(i),
    baseSha: shaOf(i + 1_000_000),
    actor: { class: "agent", agent: "claude-code", login: "claude[bot]", signal: "sender", evidence: "claude[bot]", forgeable: false },
    policy: { digest: "d".repeat(64), engine: "0.1.0", files: [{ path: "invariants/architecture.yml", sha: "a".repeat(40) }] },
    outcome: "verdict",
    results: [
      {
        invariant: "core-is-pure",
        kind: "import-boundary",
        enforcement: "block",
        status: i % 3 ? "pass" : "fail",
        counts: { introduced: i % 3 ? 0 : 1, persisting: 0, resolved: 0, present: 0, waived: 0 },
        coverage: { unit: "edges", matched: 120 },
        evidenceDigest: "e".repeat(64),
      },
    ],
    blocking: i % 3 ? [] : [{ invariant: "core-is-pure", code: "import-boundary.forbidden", path: "src/core/x.ts", line: 3, fingerprint: "f".repeat(20) }],
    blockingTotal: i % 3 ? 0 : 1,
    failingNotices: [],
    waiversApplied: [],
    checkRun: { id: 1000 + i, conclusion: i % 3 ? "success" : "failure" },
    timings: { list: 3, policy: 1, snapshot: 20, evaluate: 4 },
  };
}

/** A valid chain of `n` entries, as stored text with fake stream ids. */
export function sampleChain(n: number, key = TEST_KEY, scope = { installationId: 7, repoId: 4242 }): { entries: LedgerEntry[]; stored: StoredEntry[] } {
  const entries: LedgerEntry[] = [];
  let head = { seq: 0, hash: genesisHash(scope.repoId) };
  for (let i = 1; i <= n; i++) {
    const e = sealEntry(sampleRecord(i, scope), head, key);
    entries.push(e);
    head = { seq: e.seq, hash: e.hash };
  }
  return { entries, stored: entries.map((e, i) => ({ streamId: `${1_700_000_000_000 + i}-0`, json: JSON.stringify(e) })) };
}
