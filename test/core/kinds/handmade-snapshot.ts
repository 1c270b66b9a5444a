import type { ActorVerdict } from "../../../src/core/actor.js";
import type { Change, ChangedPath } from "../../../src/core/change.js";
import type { CompileContext, DeploymentRequest, EvaluationInput } from "../../../src/core/kind.js";
import type { ImportEdge, ImportTarget, RepoSnapshot, SkipReason } from "../../../src/core/snapshot.js";
import { BUILTIN_AGENT_IDS } from "../../../src/core/agent-fingerprints.js";

/** Builds snapshots by hand so kind tests pin exactly the input they judge, without the snapshot builder. */
export function snapshotOf(files: Record<string, string | SkipReason>, imports: ImportEdge[] = []): RepoSnapshot {
  const contents = new Map<string, string>();
  const skipped = new Map<string, SkipReason>();
  for (const [path, v] of Object.entries(files)) {
    if (v === "binary" || v === "oversized" || v === "unreadable" || v === "invalid-utf8") skipped.set(path, v);
    else contents.set(path, v);
  }
  return { files: Object.keys(files).sort(), contents, skipped, imports, dependencies: [], manifests: [], problems: [] };
}

export function edge(from: string, specifier: string, target: ImportTarget, extra: Partial<ImportEdge> = {}): ImportEdge {
  return { from, line: 1, column: 1, specifier, syntax: "import", typeOnly: false, target, via: [], ...extra };
}

export const pkg = (name: string): ImportTarget => ({ type: "package", name });
export const file = (path: string): ImportTarget => ({ type: "file", path });

export const ctx: CompileContext = { agentIds: new Set([...BUILTIN_AGENT_IDS, "acme-fixer"]) };

export const agentActor = (agent: string, signal: ActorVerdict["signal"] = "sender"): ActorVerdict => ({
  class: "agent",
  agent,
  login: `${agent}[bot]`,
  signal,
  evidence: `${agent}[bot]`,
  forgeable: signal === "branch" || signal === "trailer",
});

export const humanActor: ActorVerdict = { class: "human", agent: null, login: "alice", signal: "default", evidence: "no agent signal", forgeable: false };

export function changeOf(actor: ActorVerdict, paths: ChangedPath[]): Change {
  return { baseRev: "base", headRev: "head", paths, actor };
}

export function input(snapshot: RepoSnapshot, change: Change | null = null, deployment: DeploymentRequest | null = null): EvaluationInput {
  return { snapshot, change, deployment };
}

export const base = { why: "because", enforcement: "block" as const };
