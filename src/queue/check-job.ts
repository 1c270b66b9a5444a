import { z } from "zod";

/**
 * The data of one evaluation job. Parsed with zod at the worker (the edge where it re-enters
 * the process), never trusted as-is. It carries ids and public facts only: no token, no secret.
 */
export const TRIGGERS = ["push", "pull_request", "check_suite", "check_run", "merge_group", "installation", "schedule", "reconcile"] as const;

const login = z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() }).nullable();

export const checkJobSchema = z.object({
  installationId: z.number().int().positive(),
  repoId: z.number().int().positive(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  /** Head SHA; null: evaluate the default branch's current tip (installation, schedule). */
  sha: z.string().regex(/^[0-9a-f]{40}$/).nullable(),
  /** Branch whose newest SHA wins (null for merge groups and audits). */
  branch: z.string().nullable(),
  trigger: z.enum(TRIGGERS),
  deliveryId: z.string(),
  /** The push's `before` (null for a created branch or non-push triggers). */
  before: z.string().regex(/^[0-9a-f]{40}$/).nullable(),
  prNumber: z.number().int().positive().nullable(),
  /** Merge group base; PR bases are read from the API at run time (they can change). */
  baseSha: z.string().regex(/^[0-9a-f]{40}$/).nullable(),
  defaultBranch: z.string().nullable(),
  actor: z.object({
    sender: login.optional(),
    prAuthor: login.optional(),
    branch: z.string().nullable().optional(),
    commits: z
      .array(z.object({ sha: z.string().optional(), authorLogin: z.string().nullable().optional(), authorEmail: z.string().nullable().optional(), committerLogin: z.string().nullable().optional(), message: z.string() }))
      .optional(),
  }),
  enqueuedAt: z.number(),
  /** Someone asked for this evaluation again (Re-run, re-run all checks): the run is rewritten even when nothing changed. */
  rerun: z.boolean().optional(),
  /**
   * Re-enqueued by an older job that found this SHA as its branch's tip (handOver), only to make
   * sure it is judged: when it already has a verdict by the time it runs, it is not judged again.
   */
  handedOver: z.boolean().optional(),
});

export type CheckJob = z.infer<typeof checkJobSchema>;

/** Pushes list ≤2048 commits; a job keeps enough of them to classify the actor, bounded in size. */
export const MAX_JOB_COMMITS = 100;
export const MAX_COMMIT_MESSAGE = 4096;
