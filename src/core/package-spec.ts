import semver from "semver";

/**
 * What a dependency ref says about the version that gets installed, after following `npm:` aliases.
 * Lockfiles record exact versions, manifests ranges; git URLs, dist-tags, `workspace:`, `file:`
 * and `link:` say nothing semver can compare; imports say nothing at all.
 */
export type VersionFact =
  | { readonly type: "exact"; readonly version: string }
  | { readonly type: "range"; readonly range: string }
  | { readonly type: "unknown" }
  | { readonly type: "absent" };

const LOOSE = { loose: true, includePrerelease: true } as const;

/**
 * Splits `name@rest`, where the name may be scoped (`@scope/name@rest`). `rest` is null when no
 * version follows the name.
 */
export function splitNameAt(spec: string): { name: string; rest: string | null } {
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  return at <= 0 ? { name: spec, rest: null } : { name: spec.slice(0, at), rest: spec.slice(at + 1) };
}

/**
 * Follows an `npm:` alias to the package that is really installed: `npm:real@^1` is `real` at
 * `^1`. Yarn berry writes plain registry ranges as `npm:^1.2.3`, which names no other package.
 * String work only: this runs for every ref of a large lockfile.
 */
export function realPackage(name: string, version: string | null): { name: string; version: string | null } {
  if (version === null || !version.startsWith("npm:")) return { name, version };
  const target = version.slice(4).trim();
  const alias = splitNameAt(target);
  // Dist-tags never start with `@`, so `npm:@scope/pkg` is an alias to that package's latest.
  if (alias.rest === null) return target.startsWith("@") ? { name: target, version: "latest" } : { name, version: target };
  if (alias.name === "" || /\s/.test(alias.name)) return { name, version: target };
  return { name: alias.name, version: alias.rest };
}

/** What a version string lets semver compare; call it on `realPackage(...).version`. */
export function versionFact(version: string | null): VersionFact {
  if (version === null) return { type: "absent" };
  const v = version.trim();
  const exact = semver.valid(v, LOOSE);
  if (exact !== null) return { type: "exact", version: exact };
  const range = semver.validRange(v, LOOSE);
  if (range !== null) return { type: "range", range };
  return { type: "unknown" };
}

/**
 * Whether the installed version can fall in `range`: an exact version must satisfy it, a range
 * must overlap it (`^3.3.0` can install 3.3.6). Prereleases count, so `<4.17.21` also catches
 * `4.17.21-rc.1`. Null when the fact cannot be compared.
 */
export function versionInRange(fact: VersionFact, range: string): boolean | null {
  try {
    if (fact.type === "exact") return semver.satisfies(fact.version, range, LOOSE);
    if (fact.type === "range") return semver.intersects(fact.range, range, LOOSE);
  } catch {
    return false;
  }
  return null;
}
