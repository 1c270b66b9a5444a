import type { DependencyRef, DependencySource, SnapshotProblem } from "../../core/snapshot.js";
import { isJsonObject, parseJsonLocated, type JsonObject } from "./json-located.js";
import { lineIndex, problemList, type Position } from "./located.js";

/** What every JSON manifest parser starts from: positions, problems, refs, and the root object. */
export interface OpenedJsonManifest {
  readonly pos: (offset: number) => Position;
  readonly problems: SnapshotProblem[];
  readonly add: (at: Position, reason: string) => void;
  readonly refs: DependencyRef[];
  /** Null when the text is not JSON or not an object (the problem is already recorded). */
  readonly root: JsonObject | null;
  /** Records one ref at the key's offset. */
  readonly push: (name: string, version: string | null, section: string, at: number) => void;
}

export function openJsonManifest(path: string, text: string, source: DependencySource, notAnObject: string): OpenedJsonManifest {
  const pos = lineIndex(text);
  const { problems, add } = problemList(path);
  const refs: DependencyRef[] = [];
  const push = (name: string, version: string | null, section: string, at: number): void => {
    refs.push({ name, version, source, section, path, ...pos(at) });
  };
  const parsed = parseJsonLocated(text);
  let root: JsonObject | null = null;
  if (!parsed.ok) add(pos(parsed.at), `invalid JSON: ${parsed.reason}`);
  else if (!isJsonObject(parsed.value)) add({ line: 1, column: 1 }, notAnObject);
  else root = parsed.value;
  return { pos, problems, add, refs, root, push };
}
