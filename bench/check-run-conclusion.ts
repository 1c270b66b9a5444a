import type { CheckRunSnapshot } from "../test/fake-github/index.js";

/**
 * What the fake recorded for one SHA's `Plumbline` check run(s). The fake stamps every create
 * and update with its clock (wall time unless a test moves it), so conclusion times come from
 * the record itself, not from when a poller happened to look.
 */
export interface ShaConclusion {
  /** `Plumbline` runs on the SHA (GitHub judges by the latest; 1 is expected). */
  readonly runs: number;
  /** Create/update bodies that completed a run (1 is expected: concluded exactly once). */
  readonly completions: number;
  /** The latest run's conclusion, or null while it is not completed. */
  readonly conclusion: string | null;
  /** Wall ms of the first completion, or null. */
  readonly firstCompletedAt: number | null;
  /** Conclusions of every completion, in time order (`success → cancelled` is a verdict that changed). */
  readonly sequence: readonly string[];
  /** Each completion as `conclusion "title" +ms` (ms after the first), to tell who wrote a repeated one. */
  readonly writes: readonly string[];
}

const completes = (body: Record<string, unknown>) => body.status === "completed" || typeof body.conclusion === "string";

export function conclusionOf(runs: readonly CheckRunSnapshot[]): ShaConclusion {
  const mine = runs.filter((r) => r.name === "Plumbline").sort((a, b) => a.id - b.id);
  const done = mine.flatMap((r) => r.history.filter((h) => completes(h.body))).sort((a, b) => a.at - b.at);
  const stamps = done.map((h) => h.at);
  const latest = mine.at(-1);
  return {
    sequence: done.map((h) => String(h.body.conclusion ?? "?")),
    writes: done.map((h) => `${String(h.body.conclusion ?? "?")} "${String((h.body.output as { title?: unknown } | undefined)?.title ?? "")}" +${h.at - done[0]!.at} ms`),
    runs: mine.length,
    completions: stamps.length,
    conclusion: latest?.status === "completed" ? latest.conclusion : null,
    firstCompletedAt: stamps.length ? Math.min(...stamps) : null,
  };
}

/** Every SHA of a repository at once: one snapshot of the fake instead of one per SHA. */
export function conclusionsBySha(runs: readonly CheckRunSnapshot[]): Map<string, ShaConclusion> {
  const bySha = new Map<string, CheckRunSnapshot[]>();
  for (const r of runs) bySha.set(r.headSha, [...(bySha.get(r.headSha) ?? []), r]);
  return new Map([...bySha].map(([sha, list]) => [sha, conclusionOf(list)]));
}
