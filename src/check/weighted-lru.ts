/**
 * A least-recently-used map bounded by the total weight of its values (a listing's entries, a
 * snapshot's files) rather than their count: one 10k-file snapshot costs what a hundred small
 * ones do. A value heavier than the whole budget is not kept at all.
 */
export interface WeightedLru<T> {
  get(key: string): T | undefined;
  set(key: string, value: T, weight: number): void;
  delete(key: string): void;
  /** Total weight held; never above the budget once `set` returns. */
  readonly weight: number;
  readonly size: number;
}

export function createWeightedLru<T>(budget: number): WeightedLru<T> {
  const map = new Map<string, { value: T; weight: number }>();
  let total = 0;
  const remove = (key: string): void => {
    const old = map.get(key);
    if (!old) return;
    map.delete(key);
    total -= old.weight;
  };
  return {
    get(key) {
      const hit = map.get(key);
      if (!hit) return undefined;
      // Map iteration follows insertion order: re-inserting marks the entry most recent.
      map.delete(key);
      map.set(key, hit);
      return hit.value;
    },
    set(key, value, weight) {
      remove(key);
      if (weight > budget) return;
      map.set(key, { value, weight });
      total += weight;
      while (total > budget) remove(map.keys().next().value!);
    },
    delete: remove,
    get weight() {
      return total;
    },
    get size() {
      return map.size;
    },
  };
}

/** A computation shared by concurrent callers; weighed once it resolves, forgotten if it fails so the next call retries. */
export function memoized<T>(lru: WeightedLru<Promise<T>>, key: string, compute: () => Promise<T>, weightOf: (value: T) => number): Promise<T> {
  const hit = lru.get(key);
  if (hit) return hit;
  const fresh = compute();
  lru.set(key, fresh, 1);
  fresh.then(
    (value) => {
      if (lru.get(key) === fresh) lru.set(key, fresh, weightOf(value));
    },
    () => {
      if (lru.get(key) === fresh) lru.delete(key);
    },
  );
  return fresh;
}
