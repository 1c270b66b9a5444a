export interface FaultSpec {
  method?: string;
  pathPattern: RegExp;
  /** How many matching requests the fault applies to. */
  times: number;
  status?: 500 | 502 | 503;
  /** 403 with `retry-after` and GitHub's secondary-rate-limit message. */
  secondaryRateLimit?: { retryAfterSeconds: number };
  /** Delay before answering; on its own the request is then served normally. */
  latencyMs?: number;
  /** Destroy the socket without an answer (the client sees a network error). */
  dropConnection?: boolean;
}

export interface FaultHandle {
  readonly spec: FaultSpec;
  /** Requests this fault has applied to so far. */
  readonly hits: number;
  readonly remaining: number;
}

class ActiveFault implements FaultHandle {
  hits = 0;
  constructor(readonly spec: FaultSpec) {}
  get remaining(): number {
    return Math.max(0, this.spec.times - this.hits);
  }
}

/** Queued faults; the first live one that matches a request is consumed by it. */
export class Faults {
  private readonly active: ActiveFault[] = [];

  add(spec: FaultSpec): FaultHandle {
    if (!(spec.times > 0)) throw new Error("fake-github: inject() needs times > 0");
    const fault = new ActiveFault(spec);
    this.active.push(fault);
    return fault;
  }

  take(method: string, path: string): FaultSpec | null {
    for (const f of this.active) {
      if (f.remaining === 0) continue;
      if (f.spec.method && f.spec.method.toUpperCase() !== method) continue;
      f.spec.pathPattern.lastIndex = 0;
      if (!f.spec.pathPattern.test(path)) continue;
      f.hits += 1;
      return f.spec;
    }
    return null;
  }

  clear(): void {
    this.active.length = 0;
  }
}
