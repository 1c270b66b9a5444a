/**
 * Runs `work` over a queue with at most `limit` calls in flight. Work may enqueue more items
 * (a tree walk discovers directories as it goes). The first failure rejects and stops starting
 * new work, so a dead GitHub does not get thousands more requests; calls already in flight
 * finish on their own and their results are ignored.
 */
export function runPool<T>(initial: readonly T[], limit: number, work: (item: T, enqueue: (next: T) => void) => Promise<void>): Promise<void> {
  const queue = [...initial];
  let next = 0;
  let active = 0;
  let failed = false;
  return new Promise((resolve, reject) => {
    const enqueue = (item: T): void => {
      queue.push(item);
    };
    const pump = (): void => {
      if (failed) return;
      if (next === queue.length && active === 0) {
        resolve();
        return;
      }
      while (active < limit && next < queue.length) {
        const item = queue[next++]!;
        active++;
        work(item, enqueue).then(
          () => {
            active--;
            pump();
          },
          (err: unknown) => {
            if (!failed) {
              failed = true;
              reject(err);
            }
          },
        );
      }
    };
    pump();
  });
}
