/** Who made a change, and which signal decided it (authenticated signals outrank forgeable ones). */

export type ActorClass = "human" | "agent";

/** The signal that decided the classification, strongest first. */
export type ActorSignal = "sender" | "app" | "pr-author" | "commit-author" | "branch" | "trailer" | "config" | "default";

export interface ActorVerdict {
  readonly class: ActorClass;
  /** Agent id (`claude-code`, `copilot`, a configured id…); null for humans. */
  readonly agent: string | null;
  readonly login: string | null;
  readonly signal: ActorSignal;
  /** The exact value that matched, e.g. `claude[bot]` or `Co-Authored-By: … <noreply@anthropic.com>`. */
  readonly evidence: string;
  /** True when only forgeable signals (branch name, trailers) decided. */
  readonly forgeable: boolean;
}

export interface CommitSignals {
  readonly sha?: string;
  readonly authorLogin?: string | null;
  readonly authorEmail?: string | null;
  readonly committerLogin?: string | null;
  readonly message: string;
}

/** Raw facts about a change, gathered by an adapter (webhook payload, git, CLI flag). */
export interface ActorSignals {
  readonly sender?: { readonly login: string; readonly id?: number; readonly type?: string } | null;
  readonly app?: { readonly slug: string; readonly id?: number } | null;
  readonly prAuthor?: { readonly login: string; readonly id?: number; readonly type?: string } | null;
  readonly commits?: readonly CommitSignals[];
  readonly branch?: string | null;
}

export const HUMAN_BY_DEFAULT: ActorVerdict = {
  class: "human",
  agent: null,
  login: null,
  signal: "default",
  evidence: "no agent signal",
  forgeable: false,
};
