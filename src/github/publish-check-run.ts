import { createHash } from "node:crypto";
import type { Annotation } from "./check-run-annotations.js";
import { ANNOTATIONS_PER_REQUEST, capText, DEFAULT_MAX_ANNOTATIONS, MAX_OUTPUT_CHARS } from "./check-run-limits.js";
import type { GitHubClient } from "./github-client.js";
import { capAnnotations, type RenderedCheckRun } from "./render-check-run.js";

export const CHECK_RUN_NAME = "Plumbline";
/** GitHub: ≤3 actions; label ≤20, identifier ≤20, description ≤40 characters. */
export const RERUN_ACTION = { label: "Re-run", identifier: "rerun", description: "Evaluate this commit again" } as const;

export interface PublishCheckRunArgs {
  readonly owner: string;
  readonly repo: string;
  readonly headSha: string;
  readonly name?: string;
  /** The job's identity: a redelivered or retried job finds and updates its own run by it. */
  readonly externalId: string;
  readonly detailsUrl?: string;
  /** Required to complete; optional while in progress (a default "evaluating" output is used). */
  readonly rendered?: RenderedCheckRun;
  readonly status: "in_progress" | "completed";
  /** Offer the Re-run button on the completed run. */
  readonly actions?: boolean;
  /** Annotations posted per run, most severe first (default 500); the summary counts the rest. */
  readonly maxAnnotations?: number;
  /**
   * Whether an already completed run of this job may be replaced (default: yes). A notice such
   * as "superseded" passes a test here so that it never overwrites a verdict the SHA already has.
   */
  readonly replaceCompleted?: (run: { readonly conclusion: string | null; readonly summary: string | null }) => boolean;
  /**
   * What the run says, minus what changes on every evaluation (the ledger anchor): stored in
   * the summary. With `skipIfUnchanged`, a completed run that already says the same is left as
   * it is: a scheduled audit of an unchanged branch then costs no write (GitHub's 1 s between an
   * installation's writes made them the fleet audit's bottleneck).
   */
  readonly contentKey?: string;
  readonly skipIfUnchanged?: boolean;
  /** A completed run this returns true for is left as it is (the caller's own notion of "nothing new"). */
  readonly keepCompleted?: (run: ExistingRun) => boolean;
}

export interface PublishedCheckRun {
  readonly id: number;
  /** This rendering's annotations now on the run: posted by this call or by an interrupted earlier one. */
  readonly annotationsPosted: number;
  /** Line problems left out by the cap (render's and `maxAnnotations`). */
  readonly annotationsDropped: number;
  /** True when nothing was written: the run already said the same (`skipIfUnchanged`). */
  readonly unchanged?: boolean;
}

export interface ExistingRun {
  readonly id: number;
  readonly status: string;
  readonly conclusion: string | null;
  readonly summary: string | null;
  readonly annotationsCount: number;
}

/**
 * Creates or updates the check run of `headSha`, idempotently by `externalId`.
 *
 * GitHub appends annotations on every update and never deletes them, so a retry after a crash
 * must not post them again. The summary carries a digest of the full annotation list; a run
 * whose digest matches already holds the first `annotations_count` of them in order (batches
 * go out in order, each atomically), so only the rest is posted. A run holding annotations of
 * a different rendering (the base moved between attempts) cannot be cleaned: a new run with
 * the same name is created, and GitHub judges a commit by the latest run of each name.
 */
export async function publishCheckRun(client: GitHubClient, args: PublishCheckRunArgs): Promise<PublishedCheckRun> {
  const name = args.name ?? CHECK_RUN_NAME;
  const existing = await findOwnRun(client, { ...args, name });
  const common = { name, external_id: args.externalId, ...(args.detailsUrl ? { details_url: args.detailsUrl } : {}) };
  const { owner, repo } = args;

  if (args.status === "in_progress") {
    // A redelivered job must not reopen a run it already concluded; its completion will follow.
    if (existing?.status === "completed") return { id: existing.id, annotationsPosted: 0, annotationsDropped: 0 };
    const r = args.rendered;
    const output = r
      ? { title: r.title, summary: capText(r.summary, MAX_OUTPUT_CHARS), text: r.text }
      : { title: "Evaluating…", summary: `Plumbline is evaluating \`${args.headSha}\` against the repository's invariants.` };
    const body = { ...common, status: "in_progress" as const, output };
    const id = existing
      ? (await client.rest.checks.update({ owner, repo, check_run_id: existing.id, ...body })).data.id
      : (await client.rest.checks.create({ owner, repo, head_sha: args.headSha, ...body })).data.id;
    return { id, annotationsPosted: 0, annotationsDropped: 0 };
  }

  if (!args.rendered) throw new TypeError("publishCheckRun: completing a check run needs `rendered` output");
  if (existing?.status === "completed" && args.replaceCompleted && !args.replaceCompleted(existing)) return { id: existing.id, annotationsPosted: 0, annotationsDropped: 0 };
  const r = capAnnotations(args.rendered, args.maxAnnotations ?? DEFAULT_MAX_ANNOTATIONS);
  const digest = annotationsDigest(r.annotations);
  if (existing?.status === "completed" && args.keepCompleted?.(existing)) return { id: existing.id, annotationsPosted: 0, annotationsDropped: r.annotationsOmitted, unchanged: true };
  if (args.skipIfUnchanged && args.contentKey && existing?.status === "completed" && existing.conclusion === r.conclusion && contentKeyIn(existing.summary) === args.contentKey && digestIn(existing.summary) === digest) {
    return { id: existing.id, annotationsPosted: 0, annotationsDropped: r.annotationsOmitted, unchanged: true };
  }
  const summary = withDigest(r.summary, digest, args.contentKey);

  let target = existing;
  let already = 0;
  if (existing && existing.annotationsCount > 0) {
    if (digestIn(existing.summary) === digest) already = Math.min(existing.annotationsCount, r.annotations.length);
    else target = null;
  }
  const batches = chunk(r.annotations.slice(already), ANNOTATIONS_PER_REQUEST);
  // Title, summary and text go with every batch: GitHub requires title+summary on output updates.
  const output = (annotations: readonly Annotation[]) => ({ title: r.title, summary, text: r.text, annotations: annotations.map((a) => ({ ...a })) });
  const completion = {
    ...common,
    status: "completed" as const,
    conclusion: r.conclusion,
    output: output(batches[0] ?? []),
    actions: args.actions ? [{ ...RERUN_ACTION }] : [],
  };
  const id = target
    ? (await client.rest.checks.update({ owner, repo, check_run_id: target.id, ...completion })).data.id
    : (await client.rest.checks.create({ owner, repo, head_sha: args.headSha, ...completion })).data.id;
  for (const batch of batches.slice(1)) await client.rest.checks.update({ owner, repo, check_run_id: id, output: output(batch) });
  return { id, annotationsPosted: r.annotations.length, annotationsDropped: r.annotationsOmitted };
}

/** The newest run of this name on the SHA with our external id; `filter: all` so a later run of another job does not hide it. */
export async function findOwnRun(client: GitHubClient, args: { readonly owner: string; readonly repo: string; readonly headSha: string; readonly externalId: string; readonly name?: string }): Promise<ExistingRun | null> {
  const name = args.name ?? CHECK_RUN_NAME;
  const runs = await client.paginate(client.rest.checks.listForRef, { owner: args.owner, repo: args.repo, ref: args.headSha, check_name: name, filter: "all", per_page: 100 });
  const mine = runs.filter((r) => r.name === name && r.external_id === args.externalId).sort((a, b) => b.id - a.id)[0];
  if (!mine) return null;
  return { id: mine.id, status: mine.status, conclusion: mine.conclusion ?? null, summary: mine.output.summary ?? null, annotationsCount: mine.output.annotations_count };
}

const DIGEST_RE = /<!-- plumbline:annotations ([0-9a-f]{32}) -->/g;

function annotationsDigest(annotations: readonly Annotation[]): string {
  return createHash("sha256").update(JSON.stringify(annotations)).digest("hex").slice(0, 32);
}

/** Invisible in the rendered markdown; read back from the run on a retry. */
function withDigest(summary: string, digest: string, contentKey?: string): string {
  const mark = `${contentKey ? `\n<!-- plumbline:content ${contentKey} -->` : ""}\n<!-- plumbline:annotations ${digest} -->`;
  return capText(summary, MAX_OUTPUT_CHARS - mark.length) + mark;
}

const CONTENT_RE = /<!-- plumbline:content ([0-9a-f]{32}) -->/g;

function contentKeyIn(summary: string | null): string | null {
  return [...(summary ?? "").matchAll(CONTENT_RE)].at(-1)?.[1] ?? null;
}

/** A `contentKey` for a rendering: everything GitHub would show, hashed. */
export function contentKeyOf(r: RenderedCheckRun): string {
  return createHash("sha256").update(JSON.stringify([r.conclusion, r.title, r.summary, r.text, r.annotations, r.annotationsOmitted])).digest("hex").slice(0, 32);
}

function digestIn(summary: string | null): string | null {
  // The last marker is ours (appended after everything else), whatever user text precedes it.
  const all = [...(summary ?? "").matchAll(DIGEST_RE)];
  return all.at(-1)?.[1] ?? null;
}

function chunk<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
