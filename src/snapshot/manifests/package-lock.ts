import { splitNameAt } from "../../core/package-spec.js";
import { isJsonObject, stringMember, type JsonObject } from "./json-located.js";
import type { ParsedManifest } from "./located.js";
import { openJsonManifest } from "./open-json-manifest.js";

/**
 * npm's package-lock.json and npm-shrinkwrap.json, one ref per installed copy at its key's line.
 *
 * lockfileVersion 2/3 `packages` is keyed by install location: `node_modules/a/node_modules/@s/b`
 * installs `@s/b` (or the entry's `name` when the key is an `npm:` alias). Entries without a
 * `node_modules/` segment are the workspaces themselves and `link: true` entries point at them,
 * so neither is a ref. An entry is `direct` when it sits right under a workspace's (or the root's
 * hoisted) `node_modules/` and that workspace declares it; everything else is `transitive`, so a
 * hoisted dependency of a dependency is not mistaken for a direct one.
 *
 * lockfileVersion 1 (and v2 read by old npm) only has the nested `dependencies` tree, which does
 * not record what the root declares: its top level is `direct`, nested entries `transitive`.
 * `packages` wins when both are present, since v2 writes the same installs twice.
 */

const DECLARING_SECTIONS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"];

function declaredNames(workspace: JsonObject): Set<string> {
  const names = new Set<string>();
  for (const section of DECLARING_SECTIONS) {
    const deps = workspace.members.get(section)?.value;
    if (isJsonObject(deps)) for (const name of deps.members.keys()) names.add(name);
  }
  return names;
}

export function parsePackageLock(path: string, text: string): ParsedManifest {
  const { pos, problems, add, refs, root, push } = openJsonManifest(path, text, "package-lock", "an npm lockfile must be a JSON object");
  if (root === null) return { refs, problems };

  const packages = root.members.get("packages");
  const tree = root.members.get("dependencies");
  if (packages === undefined && tree === undefined && !root.members.has("lockfileVersion")) {
    add({ line: 1, column: 1 }, "no `lockfileVersion`, `packages` or `dependencies`: this is not an npm lockfile");
  }

  if (packages !== undefined) {
    if (!isJsonObject(packages.value)) {
      add(pos(packages.at), "`packages` must be an object keyed by install location");
      return { refs, problems };
    }
    const declared = new Map<string, Set<string>>();
    const anyWorkspace = new Set<string>();
    for (const [location, member] of packages.value.members) {
      if (location.includes("node_modules/") || !isJsonObject(member.value)) continue;
      const names = declaredNames(member.value);
      declared.set(location, names);
      for (const name of names) anyWorkspace.add(name);
    }
    for (const [location, member] of packages.value.members) {
      const segments = `/${location}`.split("/node_modules/");
      if (segments.length < 2) continue;
      const entry = member.value;
      if (!isJsonObject(entry)) {
        add(pos(member.at), `the entry for \`${location}\` must be an object`);
        continue;
      }
      if (entry.members.get("link")?.value === true) continue;
      const installedAs = segments[segments.length - 1]!;
      const owner = segments.length === 2 ? segments[0]!.slice(1) : null;
      const direct = owner === "" ? anyWorkspace.has(installedAs) : owner !== null && declared.get(owner)?.has(installedAs) === true;
      push(stringMember(entry, "name") ?? installedAs, stringMember(entry, "version"), direct ? "direct" : "transitive", member.at);
    }
    return { refs, problems };
  }

  const walk = (deps: JsonObject, depth: number): void => {
    for (const [key, member] of deps.members) {
      const entry = member.value;
      if (!isJsonObject(entry)) {
        add(pos(member.at), `the entry for \`${key}\` must be an object`);
        continue;
      }
      let name = key;
      let version = stringMember(entry, "version");
      if (version?.startsWith("npm:")) {
        const alias = splitNameAt(version.slice(4));
        if (alias.rest !== null) {
          name = alias.name;
          version = alias.rest;
        }
      }
      push(name, version, depth === 0 ? "direct" : "transitive", member.at);
      const nested = entry.members.get("dependencies")?.value;
      if (isJsonObject(nested)) walk(nested, depth + 1);
    }
  };
  if (tree !== undefined) {
    if (isJsonObject(tree.value)) walk(tree.value, 0);
    else add(pos(tree.at), "`dependencies` must be an object");
  }
  return { refs, problems };
}
