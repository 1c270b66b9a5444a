import { splitNameAt } from "../../core/package-spec.js";
import { isJsonArray, isJsonObject, stringMember, type JsonObject } from "./json-located.js";
import type { ParsedManifest } from "./located.js";
import { openJsonManifest } from "./open-json-manifest.js";

/**
 * Every way a package.json can pull a package into the install, each ref at its key's line:
 * - `dependencies`, `devDependencies`, `peerDependencies`, `optionalDependencies`: name → range;
 * - `bundledDependencies` / `bundleDependencies` arrays: the name, with the range from
 *   `dependencies` when it is there (`true` means "all of them", already listed);
 * - `overrides` (npm), `resolutions` (yarn, also read by pnpm) and `pnpm.overrides`: an override
 *   forces a version in, so its target package is a ref at the forced version (`$name`
 *   references resolve to the root's own range). A selector that only scopes nested overrides
 *   (`"a": { "b": "1" }`) is not itself a ref; pnpm's `"-"` removes a package and is skipped.
 */

const RANGE_SECTIONS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"] as const;
const BUNDLED_SECTIONS = ["bundledDependencies", "bundleDependencies"] as const;

// Resolution keys name a path through the tree (`a/b`, `@s/a/@s/b@^1`, with `**` wildcards):
// the package overridden is the last one on the path.
function lastPackageInPath(selector: string): string {
  const parts = selector.split("/");
  let last = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.startsWith("@") && i + 1 < parts.length && !part.includes("@", 1)) {
      last = `${part}/${parts[i + 1]}`;
      i++;
    } else if (part !== "**" && part !== "") last = part;
  }
  return splitNameAt(last).name;
}

export function parsePackageJson(path: string, text: string): ParsedManifest {
  const { pos, problems, add, refs, root, push } = openJsonManifest(path, text, "manifest", "package.json must be a JSON object");
  if (root === null) return { refs, problems };
  const declared = (name: string): string | null => {
    for (const section of RANGE_SECTIONS) {
      const deps = root.members.get(section)?.value;
      if (isJsonObject(deps)) {
        const v = stringMember(deps, name);
        if (v !== null) return v;
      }
    }
    return null;
  };
  const forced = (value: string, section: string, at: number): string | null => {
    if (!value.startsWith("$")) return value;
    const target = declared(value.slice(1));
    if (target === null) add(pos(at), `\`${section}\` refers to \`${value}\`, which is not a dependency of this package`);
    return target;
  };

  for (const section of RANGE_SECTIONS) {
    const member = root.members.get(section);
    if (member === undefined) continue;
    if (!isJsonObject(member.value)) {
      add(pos(member.at), `\`${section}\` must be an object of package names to version ranges`);
      continue;
    }
    for (const [name, entry] of member.value.members) {
      const version = typeof entry.value === "string" ? entry.value : null;
      if (version === null) add(pos(entry.at), `the version of \`${name}\` in \`${section}\` must be a string`);
      push(name, version, section, entry.at);
    }
  }

  for (const section of BUNDLED_SECTIONS) {
    const member = root.members.get(section);
    if (member === undefined || typeof member.value === "boolean") continue;
    if (!isJsonArray(member.value)) {
      add(pos(member.at), `\`${section}\` must be an array of package names (or \`true\`)`);
      continue;
    }
    for (const item of member.value.items) {
      if (typeof item.value === "string") push(item.value, declared(item.value), section, item.at);
      else add(pos(item.at), `\`${section}\` must list package names as strings`);
    }
  }

  const walkNpmOverrides = (obj: JsonObject): void => {
    for (const [selector, entry] of obj.members) {
      if (selector === ".") continue;
      const name = splitNameAt(selector).name;
      if (typeof entry.value === "string") push(name, forced(entry.value, "overrides", entry.at), "overrides", entry.at);
      else if (isJsonObject(entry.value)) {
        const own = stringMember(entry.value, ".");
        if (own !== null) push(name, forced(own, "overrides", entry.at), "overrides", entry.at);
        walkNpmOverrides(entry.value);
      } else add(pos(entry.at), `override \`${selector}\` must be a version string or an object`);
    }
  };
  const overrides = root.members.get("overrides");
  if (overrides !== undefined) {
    if (isJsonObject(overrides.value)) walkNpmOverrides(overrides.value);
    else add(pos(overrides.at), "`overrides` must be an object");
  }

  const flatOverrides = (obj: JsonObject | undefined, section: string, nameOf: (selector: string) => string): void => {
    if (obj === undefined) return;
    for (const [selector, entry] of obj.members) {
      if (typeof entry.value !== "string") {
        add(pos(entry.at), `\`${section}\` entry \`${selector}\` must be a version string`);
        continue;
      }
      if (entry.value === "-") continue;
      push(nameOf(selector), forced(entry.value, section, entry.at), section, entry.at);
    }
  };
  const resolutions = root.members.get("resolutions");
  if (resolutions !== undefined) {
    if (isJsonObject(resolutions.value)) flatOverrides(resolutions.value, "resolutions", lastPackageInPath);
    else add(pos(resolutions.at), "`resolutions` must be an object");
  }
  const pnpm = root.members.get("pnpm")?.value;
  const pnpmOverrides = isJsonObject(pnpm) ? pnpm.members.get("overrides") : undefined;
  if (pnpmOverrides !== undefined) {
    if (isJsonObject(pnpmOverrides.value)) {
      flatOverrides(pnpmOverrides.value, "pnpm.overrides", (s) => splitNameAt(s.slice(s.lastIndexOf(">") + 1)).name);
    } else add(pos(pnpmOverrides.at), "`pnpm.overrides` must be an object");
  }
  return { refs, problems };
}
