import { randomBytes } from "node:crypto";
import type { Clock } from "./clock.js";

export interface DownloadLink {
  repoId: number;
  sha: string;
  prefix: string;
  expiresAt: number;
}

/** Signed, short-lived archive links like codeload's (GitHub: valid for 5 minutes). */
export class DownloadLinks {
  private readonly links = new Map<string, DownloadLink>();

  constructor(private readonly clock: Clock, readonly ttlMs = 5 * 60_000) {}

  create(repoId: number, sha: string, prefix: string): string {
    const token = randomBytes(16).toString("hex");
    this.links.set(token, { repoId, sha, prefix, expiresAt: this.clock.now() + this.ttlMs });
    return token;
  }

  resolve(token: string): DownloadLink | null {
    const link = this.links.get(token);
    return link && link.expiresAt > this.clock.now() ? link : null;
  }
}
