import { manifestSourceOf, type ManifestSource } from "../core/manifest-files.js";
import type { DependencyRef, ImportEdge, SnapshotProblem } from "../core/snapshot.js";
import type { ManifestParser } from "./manifests/located.js";
import { parsePackageJson } from "./manifests/package-json.js";
import { parsePackageLock } from "./manifests/package-lock.js";
import { parsePnpmLock } from "./manifests/pnpm-lock.js";
import { parseYarnLock } from "./manifests/yarn-lock.js";

const PARSERS: Readonly<Record<ManifestSource, ManifestParser>> = {
  manifest: parsePackageJson,
  "package-lock": parsePackageLock,
  "pnpm-lock": parsePnpmLock,
  "yarn-lock": parseYarnLock,
};

export interface DependencyExtraction {
  dependencies: DependencyRef[];
  /** Manifest and lockfile paths that were parsed, in `files` order. */
  manifests: string[];
  problems: SnapshotProblem[];
}

/**
 * Every package reference in the repository: each manifest and lockfile found by basename
 * anywhere in the tree (node_modules excluded), plus every import of a package. Files in `files`
 * but not in `contents` (binary, oversized) are left to whoever reads `skipped`: guessing their
 * contents here would be worse than reporting them.
 */
export function extractDependencies(input: {
  files: readonly string[];
  contents: ReadonlyMap<string, string>;
  imports: readonly ImportEdge[];
}): DependencyExtraction {
  const dependencies: DependencyRef[] = [];
  const manifests: string[] = [];
  const problems: SnapshotProblem[] = [];
  for (const path of input.files) {
    const source = manifestSourceOf(path);
    if (source === null) continue;
    const text = input.contents.get(path);
    if (text === undefined) continue;
    const parsed = PARSERS[source](path, text);
    manifests.push(path);
    for (const ref of parsed.refs) dependencies.push(ref);
    for (const problem of parsed.problems) problems.push(problem);
  }
  for (const edge of input.imports) {
    if (edge.target.type !== "package") continue;
    dependencies.push({ name: edge.target.name, version: null, source: "import", section: "import", path: edge.from, line: edge.line, column: edge.column });
  }
  return { dependencies, manifests, problems };
}
