import type { DependencyRef, SnapshotProblem } from "../../core/snapshot.js";

/** What every manifest and lockfile parser returns: the refs it found and why parts could not be read. */
export interface ParsedManifest {
  refs: DependencyRef[];
  problems: SnapshotProblem[];
}

export type ManifestParser = (path: string, text: string) => ParsedManifest;

/**
 * A broken 50 MB lockfile must become a handful of findings, not millions: past this many
 * problems in one file, the rest say nothing the first ones did not.
 */
export const MAX_PROBLEMS_PER_FILE = 20;

export interface Position {
  line: number;
  column: number;
}

/**
 * Maps UTF-16 offsets to 1-based line/column. Line starts are indexed once so each lookup is a
 * binary search: scanning from the start per ref would make a large lockfile quadratic.
 */
export function lineIndex(text: string): (offset: number) => Position {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** Collects problems for one file, keeping the first MAX_PROBLEMS_PER_FILE. */
export function problemList(path: string): { problems: SnapshotProblem[]; add: (at: Position, reason: string) => void } {
  const problems: SnapshotProblem[] = [];
  return {
    problems,
    add(at, reason) {
      if (problems.length < MAX_PROBLEMS_PER_FILE) problems.push({ path, line: at.line, column: at.column, reason });
    },
  };
}
