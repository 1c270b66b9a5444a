/**
 * Percentiles by the nearest-rank method over raw samples (no histogram buckets): the runs are
 * small enough to keep every sample, and nearest-rank never reports a value nobody observed.
 */

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: Iterable<number>): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Milliseconds as printed in the tables: whole ms from 10 up, one decimal below. */
export function ms(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return "∞";
  if (!Number.isFinite(v)) return "–";
  return v >= 10 ? v.toFixed(0) : v.toFixed(1);
}

export const seconds = (v: number): string => (v === Number.POSITIVE_INFINITY ? "∞" : Number.isFinite(v) ? (v / 1000).toFixed(2) : "–");

/** A fixed-width text table: first column left-aligned, the others right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}
