import type { ActorVerdict } from "./actor.js";

export type ChangeStatus = "added" | "modified" | "deleted" | "renamed";

export interface ChangedPath {
  readonly path: string;
  readonly status: ChangeStatus;
  readonly previousPath?: string;
}

/** What a push/PR/hook call changes, and who changed it. Absent for a plain audit. */
export interface Change {
  readonly baseRev: string | null;
  readonly headRev: string;
  readonly paths: readonly ChangedPath[];
  readonly actor: ActorVerdict;
}
