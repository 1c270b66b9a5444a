import type { DependencySource } from "./snapshot.js";

export type ManifestSource = Exclude<DependencySource, "import">;

/**
 * Manifest and lockfile basenames and the source each yields. One table for the snapshot builder
 * (which parses them) and forbidden-dependency (which must report the ones it could not read,
 * or an oversized lockfile would pass unseen).
 */
const MANIFEST_FILES: ReadonlyMap<string, ManifestSource> = new Map([
  ["package.json", "manifest"],
  ["package-lock.json", "package-lock"],
  ["npm-shrinkwrap.json", "package-lock"],
  ["pnpm-lock.yaml", "pnpm-lock"],
  ["yarn.lock", "yarn-lock"],
]);

/** Installed packages describe themselves, not this repository: their manifests are not its dependencies. */
export function isUnderNodeModules(path: string): boolean {
  return path.startsWith("node_modules/") || path.includes("/node_modules/");
}

/** The source a repository path yields when parsed, or null when it is not a manifest we read. */
export function manifestSourceOf(path: string): ManifestSource | null {
  if (isUnderNodeModules(path)) return null;
  return MANIFEST_FILES.get(path.slice(path.lastIndexOf("/") + 1)) ?? null;
}
