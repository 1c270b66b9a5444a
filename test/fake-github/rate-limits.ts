import type { Clock } from "./clock.js";

export interface Bucket {
  limit: number;
  remaining: number;
  resetAt: number;
}

export interface RateLimitOptions {
  /** Requests per hour per installation (and for the app's JWT calls); GitHub's floor is 5,000. */
  limit?: number;
  /** GitHub answers 403 for an exhausted primary limit on most endpoints, sometimes 429. */
  exhaustedStatus?: 403 | 429;
}

/** GitHub's primary rate limit: a fixed budget per hour per installation, in the headers of every answer. */
export class RateLimits {
  private readonly buckets = new Map<string, Bucket>();
  readonly limit: number;
  readonly exhaustedStatus: 403 | 429;

  constructor(private readonly clock: Clock, options: RateLimitOptions = {}) {
    this.limit = options.limit ?? 5000;
    this.exhaustedStatus = options.exhaustedStatus ?? 403;
  }

  bucket(key: string): Bucket {
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (!b || b.resetAt <= now) {
      b = { limit: b?.limit ?? this.limit, remaining: b?.limit ?? this.limit, resetAt: now + 3600_000 };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Takes one request from the budget; false when nothing was left. */
  consume(key: string): boolean {
    const b = this.bucket(key);
    if (b.remaining <= 0) return false;
    b.remaining -= 1;
    return true;
  }

  set(key: string, values: { limit?: number; remaining?: number; resetInMs?: number }): void {
    const b = this.bucket(key);
    if (values.limit !== undefined) b.limit = values.limit;
    b.remaining = values.remaining ?? b.limit;
    if (values.resetInMs !== undefined) b.resetAt = this.clock.now() + values.resetInMs;
  }

  headers(key: string): Record<string, string> {
    const b = this.bucket(key);
    return {
      "x-ratelimit-limit": String(b.limit),
      "x-ratelimit-remaining": String(b.remaining),
      "x-ratelimit-used": String(b.limit - b.remaining),
      "x-ratelimit-reset": String(Math.ceil(b.resetAt / 1000)),
      "x-ratelimit-resource": "core",
    };
  }
}
