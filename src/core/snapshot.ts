/**
 * A repository at one revision, as plain data. Adapters (git, GitHub, the hook) build it;
 * the core only reads it, so every surface evaluates exactly the same input shape.
 */

export type SkipReason = "binary" | "oversized" | "unreadable" | "invalid-utf8";

export interface RepoSnapshot {
  /** Every file path in the tree, repository-relative with `/`, sorted. */
  readonly files: readonly string[];
  /** UTF-8 text of every file that was read; binary, oversized or unreadable files are absent. */
  readonly contents: ReadonlyMap<string, string>;
  /** Why a file in `files` has no entry in `contents`. */
  readonly skipped: ReadonlyMap<string, SkipReason>;
  /** The resolved import graph (present when some invariant reads `imports`). */
  readonly imports: readonly ImportEdge[];
  /** Every package reference found in manifests, lockfiles and imports. */
  readonly dependencies: readonly DependencyRef[];
  /** Manifest and lockfile paths that were parsed. */
  readonly manifests: readonly string[];
  /** Files that could not be parsed. Each becomes one finding; none aborts the run. */
  readonly problems: readonly SnapshotProblem[];
}

export type ImportSyntax = "import" | "export" | "require" | "import-equals" | "dynamic";

export type ImportTarget =
  | { readonly type: "file"; readonly path: string }
  | { readonly type: "package"; readonly name: string }
  | { readonly type: "builtin"; readonly name: string }
  | { readonly type: "unresolved" };

export interface ImportEdge {
  readonly from: string;
  readonly line: number;
  readonly column: number;
  readonly specifier: string;
  readonly syntax: ImportSyntax;
  readonly typeOnly: boolean;
  readonly target: ImportTarget;
  /**
   * Barrel files passed through to reach `target`. `[]` for the direct edge; a named import
   * taken through `export … from` also yields an edge to the declaring module with the
   * barrels listed here, so routing through an index file cannot evade a boundary.
   */
  readonly via: readonly string[];
}

export type DependencySource = "manifest" | "package-lock" | "pnpm-lock" | "yarn-lock" | "import";

export interface DependencyRef {
  readonly name: string;
  /** Version or range as written; null when the source does not say (an import). */
  readonly version: string | null;
  readonly source: DependencySource;
  /** `dependencies`, `devDependencies`, … for manifests; `direct`/`transitive` for lockfiles. */
  readonly section: string;
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

export interface SnapshotProblem {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** What could not be parsed and why, in plain words. */
  readonly reason: string;
}

export function emptySnapshot(): RepoSnapshot {
  return {
    files: [],
    contents: new Map(),
    skipped: new Map(),
    imports: [],
    dependencies: [],
    manifests: [],
    problems: [],
  };
}
