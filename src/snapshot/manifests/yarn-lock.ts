import { realPackage, splitNameAt } from "../../core/package-spec.js";
import type { DependencyRef } from "../../core/snapshot.js";
import { problemList, type ParsedManifest, type Position } from "./located.js";

/**
 * yarn.lock, classic v1 and berry (v2+), with one line-oriented pass: both put entry headers at
 * column 1 (`"a@^1", a@^2:` / `"a@npm:^1, a@npm:^2":`) and the fields we need one indent deeper
 * (`version "1.2.3"` / `version: 1.2.3`), so nested blocks can be skipped without parsing them.
 * No YAML or lockfile library is involved: neither gives line numbers cheaply, and a 50 MB
 * lockfile must stay linear.
 *
 * The package is berry's `resolution:` name when present (it already names an alias's target),
 * else the first header descriptor, following `npm:` aliases (`b@npm:a@^1` is package `a`).
 * Berry `workspace:`, `link:` and `portal:` resolutions are this repository's own folders, and
 * `patch:` entries repeat a package that has its own entry; none is a ref. Yarn does not record
 * which entries a project declares, so every ref has section `locked`.
 */

interface Entry {
  descriptors: string[];
  at: Position;
  version: string | null;
  resolution: string | null;
  fieldIndent: number;
}

const LOCAL_PROTOCOLS = ["workspace:", "link:", "portal:", "patch:"];
const CONFLICT = /^(<{7}|={7}|>{7})/;

function unquote(value: string): string {
  const v = value.trim();
  if (!v.startsWith('"')) return v;
  if (v.length > 1 && v.endsWith('"') && v.indexOf("\\") === -1) return v.slice(1, -1);
  try {
    return JSON.parse(v) as string;
  } catch {
    return v.slice(1, v.endsWith('"') ? -1 : undefined);
  }
}

/**
 * `version "1.2.3"` (classic), `version: 1.2.3` (berry) or `dependencies:` (a block follows).
 * Hand-split rather than one regex: a quoted key alternation overflows V8's regex stack on a
 * crafted multi-megabyte line.
 */
function fieldOf(line: string, from: number): { key: string; value: string | null } | null {
  let end: number;
  let key: string;
  if (line[from] === '"') {
    const close = line.indexOf('"', from + 1);
    if (close === -1) return null;
    key = line.slice(from + 1, close);
    end = close + 1;
  } else {
    end = from;
    while (end < line.length && line[end] !== " " && line[end] !== ":") end++;
    key = line.slice(from, end);
  }
  if (key === "") return null;
  if (line[end] === ":") end++;
  if (end < line.length && line[end] !== " ") return null;
  const rest = line.slice(end).trim();
  return { key, value: rest === "" ? null : unquote(rest) };
}

/** `"a@^1", a@^2` (classic) or `"a@npm:^1, a@npm:^2"` (berry) → the descriptors; null when malformed. */
function descriptorsOf(header: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < header.length) {
    while (header[i] === " ") i++;
    let segment: string;
    if (header[i] === '"') {
      const close = header.indexOf('"', i + 1);
      if (close === -1) return null;
      segment = header.slice(i + 1, close);
      i = close + 1;
    } else {
      const comma = header.indexOf(",", i);
      const end = comma === -1 ? header.length : comma;
      segment = header.slice(i, end);
      i = end;
    }
    for (const d of segment.split(",")) if (d.trim() !== "") out.push(d.trim());
    while (header[i] === " ") i++;
    if (i < header.length && header[i++] !== ",") return null;
  }
  return out.length > 0 ? out : null;
}

export function parseYarnLock(path: string, text: string): ParsedManifest {
  const { problems, add } = problemList(path);
  const refs: DependencyRef[] = [];
  let current: Entry | null = null;
  // Indented lines under `__metadata:` (or under a header already reported) carry no refs.
  let skipIndented = false;

  const finish = (e: Entry): void => {
    let name: string;
    if (e.resolution !== null) {
      const resolved = splitNameAt(e.resolution);
      if (resolved.rest !== null && LOCAL_PROTOCOLS.some((p) => resolved.rest!.startsWith(p))) return;
      name = resolved.name;
    } else {
      const first = splitNameAt(e.descriptors[0]!);
      if (first.rest !== null && LOCAL_PROTOCOLS.some((p) => first.rest!.startsWith(p))) return;
      name = realPackage(first.name, first.rest).name;
    }
    if (e.version === null) add(e.at, `the entry for \`${e.descriptors[0]}\` has no \`version\``);
    refs.push({ name, version: e.version, source: "yarn-lock", section: "locked", path, ...e.at });
  };

  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf("\n", start);
    const stop = nl === -1 ? text.length : nl;
    let line = text.slice(start, stop);
    start = stop + 1;
    lineNo++;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    let ind = 0;
    while (line.charCodeAt(ind) === 32) ind++;
    if (ind === line.length || line[ind] === "#") continue;
    const at = { line: lineNo, column: ind + 1 };

    if (ind === 0) {
      if (current !== null) finish(current);
      current = null;
      skipIndented = false;
      const header = line.trimEnd();
      if (CONFLICT.test(header)) {
        add(at, "a merge conflict marker; resolve the conflict and let yarn rewrite the lockfile");
        continue;
      }
      if (!header.endsWith(":")) {
        add(at, "expected an entry header ending in `:` (such as `\"name@^1.0.0\":`)");
        continue;
      }
      const body = header.slice(0, -1);
      if (body === "__metadata") {
        skipIndented = true;
        continue;
      }
      const descriptors = descriptorsOf(body);
      if (descriptors === null) add(at, "an entry header that is not a list of `name@range` descriptors");
      else current = { descriptors, at, version: null, resolution: null, fieldIndent: -1 };
      continue;
    }

    if (current === null) {
      if (!skipIndented) add(at, "an indented line outside any entry");
      skipIndented = true; // report an orphaned block once, not once per line
      continue;
    }
    if (current.fieldIndent === -1) current.fieldIndent = ind;
    if (ind !== current.fieldIndent) continue;
    const field = fieldOf(line, ind);
    if (field === null) {
      add(at, "expected a field such as `version \"1.2.3\"` or `version: 1.2.3`");
      continue;
    }
    const { key, value } = field;
    if (key === "version") current.version = value;
    else if (key === "resolution") current.resolution = value;
  }
  if (current !== null) finish(current);
  return { refs, problems };
}
