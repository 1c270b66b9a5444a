import { DelayedError, type Job } from "bullmq";
import { URGENT_PRIORITY } from "./fair-priority.js";

/**
 * At most `cap` of a process's evaluation slots per installation. Round-robin priority
 * (fair-priority.ts) decides which waiting job runs next, but not how long a slot stays taken:
 * GitHub allows an installation one write a second per process, so a noisy installation's jobs
 * sat in every slot waiting for their turn to write, and another installation's push waited for
 * a slot to free (the soak: quiet p99 1.76 s beside a 10k-push flood against 0.75 s alone).
 *
 * A job over the cap waits in its slot up to HOLD_MS for one of its installation's slots to
 * free, then goes back to Redis for DEFER_MS (BullMQ's delayed set: not an attempt, and a newer
 * push to its branch still replaces it). The hold bounds how fast a free slot cycles through a
 * flood of one installation's jobs (~20 a second), and so what another installation's job may
 * wait for a slot. A re-evaluation the reconciler found stuck (URGENT_PRIORITY) never waits.
 */
export const HOLD_MS = 50;
export const DEFER_MS = 1_000;

export class InstallationSlots {
  private readonly active = new Map<number, number>();
  private readonly waiters = new Map<number, Array<() => void>>();

  constructor(readonly cap: number) {}

  /** A slot for the job's installation, released by calling the result; or the job is deferred (throws DelayedError). */
  async enter(job: Job<{ installationId: number }>, token: string | undefined, now: () => number = Date.now): Promise<() => void> {
    const id = job.data.installationId;
    if (job.opts.priority === URGENT_PRIORITY || !token || this.holding(id) < this.cap) this.active.set(id, this.holding(id) + 1);
    else if (!(await this.handedWithin(id, HOLD_MS))) {
      await job.moveToDelayed(now() + DEFER_MS, token);
      throw new DelayedError();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // A job holding for this installation takes the slot over as it is; else it is free.
      const next = this.waiters.get(id)?.shift();
      if (next) return next();
      const left = this.holding(id) - 1;
      if (left <= 0) this.active.delete(id);
      else this.active.set(id, left);
    };
  }

  /** Whether a slot of the installation is handed over within `ms` (first come, first served). */
  private handedWithin(id: number, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const queue = this.waiters.get(id) ?? [];
      this.waiters.set(id, queue);
      const take = () => {
        clearTimeout(timer);
        if (queue.length === 0) this.waiters.delete(id);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const at = queue.indexOf(take);
        if (at !== -1) queue.splice(at, 1);
        if (queue.length === 0) this.waiters.delete(id);
        resolve(false);
      }, ms);
      queue.push(take);
    });
  }

  /** Slots the installation holds in this process now. */
  holding(installationId: number): number {
    return this.active.get(installationId) ?? 0;
  }
}
