/**
 * The provenance ledger, pure part: one append-only, hash-chained, HMAC-signed log per
 * repository. Entry shape and builders in `ledger-entry`, hashing and signing in
 * `ledger-chain`, tamper detection in `ledger-verify`; Redis storage lives in
 * `store/ledger-store`. This module is the one import callers need.
 */
export { canonicalJson, CanonicalJsonError } from "./canonical-json.js";
export {
  bodyOf,
  formatAnchor,
  genesisHash,
  hashEntry,
  LedgerKey,
  MIN_LEDGER_KEY_BYTES,
  parseAnchor,
  sealEntry,
  sealer,
  signatureMatches,
  signEntry,
  type ChainHead,
  type LedgerAnchor,
  type Sealed,
} from "./ledger-chain.js";
export {
  entryFromVerdict,
  entryWithoutVerdict,
  evidenceDigest,
  LEDGER_FORMAT,
  ledgerBodySchema,
  ledgerEntrySchema,
  MAX_LEDGER_BLOCKING,
  OUTCOMES,
  type LedgerBody,
  type LedgerEntry,
  type LedgerMeta,
  type LedgerOutcome,
  type LedgerRecord,
} from "./ledger-entry.js";
export { createChainVerifier, verifyChain, type ChainVerifier, type FirstBad, type StoredEntry, type TamperReason, type VerifyOptions, type VerifyResult } from "./ledger-verify.js";
