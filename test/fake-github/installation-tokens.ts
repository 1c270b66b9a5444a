import { randomBytes } from "node:crypto";
import { ApiError, badCredentials } from "./api-error.js";
import type { Clock } from "./clock.js";

export interface TokenRecord {
  token: string;
  installationId: number;
  /** Null: every repository of the installation (checked at use, so later additions count). */
  repoIds: ReadonlySet<number> | null;
  expiresAt: number;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function newToken(): string {
  const bytes = randomBytes(36);
  let s = "ghs_";
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/** Installation access tokens: minted per installation, optionally narrowed, expiring. */
export class InstallationTokens {
  private readonly byToken = new Map<string, TokenRecord>();

  constructor(private readonly clock: Clock, private ttlMs: number) {}

  setTtl(ms: number): void {
    this.ttlMs = ms;
  }

  mint(installationId: number, repoIds: ReadonlySet<number> | null): TokenRecord {
    const record = { token: newToken(), installationId, repoIds, expiresAt: this.clock.now() + this.ttlMs };
    this.byToken.set(record.token, record);
    return record;
  }

  /** GitHub answers 401 "Bad credentials" for unknown, revoked and expired tokens alike. */
  check(token: string): TokenRecord {
    const record = this.byToken.get(token);
    if (!record || record.expiresAt <= this.clock.now()) throw badCredentials();
    return record;
  }

  expireAll(): void {
    const now = this.clock.now();
    for (const r of this.byToken.values()) r.expiresAt = Math.min(r.expiresAt, now);
  }

  revokeInstallation(installationId: number): void {
    for (const [t, r] of this.byToken) if (r.installationId === installationId) this.byToken.delete(t);
  }
}

export type AuthKind = "app" | "installation";

export type Auth =
  | { kind: "app" }
  | { kind: "installation"; installationId: number; token: TokenRecord };

/** Splits `Authorization: token X` / `Bearer X` into the credential; JWTs have two dots. */
export function parseAuthorization(header: string | undefined): { kind: AuthKind | "unknown"; credential: string } | null {
  if (!header) return null;
  const m = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!m) throw badCredentials();
  const credential = m[2]!;
  if (credential.startsWith("ghs_")) return { kind: "installation", credential };
  if (credential.split(".").length === 3) return { kind: "app", credential };
  return { kind: "unknown", credential };
}

export const jwtRequired = (): ApiError =>
  new ApiError(401, "A JSON web token could not be decoded");

export const installationRequired = (): ApiError =>
  new ApiError(403, "Resource not accessible by integration");
