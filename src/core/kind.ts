import type { z } from "zod";
import type { ActorVerdict } from "./actor.js";
import type { Change } from "./change.js";
import type { InvariantHeader } from "./invariant-base.js";
import type { RepoSnapshot } from "./snapshot.js";

/** What a kind needs from the snapshot, so adapters build (and fetch) only that. */
export type Read = "tree" | "contents" | "imports" | "dependencies" | "change" | "deployment";

/** A deployment request, as data (the GitHub adapter fills it from `deployment_protection_rule`). */
export interface DeploymentRequest {
  readonly environment: string;
  readonly ref: string;
  readonly sha: string;
  readonly defaultBranch: string;
  readonly actor: ActorVerdict;
  /** Whether every `block` invariant passes on `sha`; null when unknown. */
  readonly invariantsPass: boolean | null;
  /** ISO timestamp of the request: deployment freezes compare against it. */
  readonly at: string;
}

export interface EvaluationInput {
  readonly snapshot: RepoSnapshot;
  /** The change being judged; null for a plain audit of one revision. */
  readonly change: Change | null;
  readonly deployment: DeploymentRequest | null;
}

/**
 * One violation, as data. Wording is rendered later from `code` + `evidence` by
 * `messages/`; `key` identifies the violation independent of its line so a
 * fingerprint survives unrelated edits above it.
 */
export interface RawFinding {
  readonly code: string;
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly evidence: Readonly<Record<string, string | number | boolean>>;
  readonly key: string;
}

/** How much of the repository the invariant's selectors matched; 0 means vacuous. */
export interface Coverage {
  readonly unit: "files" | "edges" | "dependencies" | "paths" | "environments";
  readonly matched: number;
}

export interface KindOutcome {
  readonly findings: readonly RawFinding[];
  readonly coverage: Coverage;
}

/** The fixed shape of every invariant kind (one module each, registered in `kinds/index.ts`). */
export interface KindModule<Input extends { kind: string } = { kind: string }, Compiled extends InvariantHeader = InvariantHeader> {
  readonly kind: Input["kind"];
  /** Strict zod object: base fields + the kind's own. Source of types, validation and JSON Schema. */
  readonly schema: z.ZodType<Input>;
  readonly reads: readonly Read[];
  /** Validates and normalises (globs, RE2, ranges). Throws CompileError naming the field. */
  compile(input: Input, ctx: CompileContext): Compiled;
  /** Pure: same input, same outcome. */
  evaluate(compiled: Compiled, input: EvaluationInput): KindOutcome;
}

/** Facts from the rest of the policy that a kind may need while compiling. */
export interface CompileContext {
  /** Agent ids known to this policy (built-in + `agents[]`). */
  readonly agentIds: ReadonlySet<string>;
}

/** Builds the compiled header every kind starts from. */
export function headerOf(input: { id: string; kind: string; why: string; owner?: string | undefined; enforcement: InvariantHeader["enforcement"] }): InvariantHeader {
  return { id: input.id, kind: input.kind, why: input.why, owner: input.owner ?? null, enforcement: input.enforcement };
}
