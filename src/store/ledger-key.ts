import { LedgerKey, MIN_LEDGER_KEY_BYTES } from "../core/ledger.js";

/**
 * Where the ledger's HMAC key comes from. The rules, and why:
 * - LEDGER_KEY is required whenever it is set or NODE_ENV=production, and must be ≥ 32 bytes
 *   (its UTF-8 bytes are the key: `openssl rand -hex 32` gives 64 characters of 4 bits each).
 * - No silent per-process random key: a ledger signed with one fails `verify` after the next
 *   restart, which looks exactly like tampering.
 * - Outside production an explicit opt-in (`--insecure-dev-key` on the CLI, or
 *   PLUMBLINE_INSECURE_DEV_LEDGER_KEY=1 for `serve`) uses a fixed, publicly known key: chains
 *   stay verifiable across restarts, and its key id (printed by verify) says it proves nothing.
 * Errors name the variable, never its value.
 */

export class LedgerKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerKeyError";
  }
}

/** Public on purpose: entries signed with it are for development only. */
const INSECURE_DEV_KEY = "plumbline-insecure-development-ledger-key-do-not-use-in-production";

export const INSECURE_DEV_KEY_ID = new LedgerKey(Buffer.from(INSECURE_DEV_KEY, "utf8")).id;

type Env = Readonly<Record<string, string | undefined>>;

export function ledgerKeyFromEnv(env: Env, opts: { insecureDevKey?: boolean } = {}): LedgerKey {
  const raw = env.LEDGER_KEY;
  const production = env.NODE_ENV === "production";
  const insecure = opts.insecureDevKey === true || env.PLUMBLINE_INSECURE_DEV_LEDGER_KEY === "1";
  if (raw === undefined || raw === "") {
    if (production) throw new LedgerKeyError("LEDGER_KEY is required in production (NODE_ENV=production): generate one with `openssl rand -hex 32` and give the same value to every worker");
    if (!insecure) {
      throw new LedgerKeyError(
        "LEDGER_KEY is not set. Set it to a secret of at least 32 bytes (`openssl rand -hex 32`), or, for local development only, pass --insecure-dev-key (PLUMBLINE_INSECURE_DEV_LEDGER_KEY=1 for serve) to sign with a fixed, publicly known key",
      );
    }
    return new LedgerKey(Buffer.from(INSECURE_DEV_KEY, "utf8"));
  }
  const bytes = Buffer.from(raw, "utf8");
  if (bytes.length < MIN_LEDGER_KEY_BYTES) throw new LedgerKeyError(`LEDGER_KEY is too short (${bytes.length} bytes): it needs at least ${MIN_LEDGER_KEY_BYTES} (\`openssl rand -hex 32\`)`);
  return new LedgerKey(bytes);
}
