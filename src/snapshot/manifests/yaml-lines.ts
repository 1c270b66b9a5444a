import { parse as parseYaml } from "yaml";
import type { Position } from "./located.js";

/**
 * A line scanner for the block-mapping skeleton of machine-written YAML lockfiles (pnpm, yarn
 * berry). The `yaml` package builds a full document: measured here, ~10 s and 800 MB for a
 * 16 MB pnpm-lock, and quadratic with its default unique-key check. Lockfiles only need keys,
 * their nesting and one-line scalars, which one pass over the lines gives in linear time.
 *
 * What it does not model it refuses loudly (anchors, aliases, tags, explicit keys, tabs) or skips
 * safely: sequence items, block scalars, multi-line flow collections and scalar continuations are
 * skipped whole, so their lines can never be misread as keys. The `yaml` package still decodes
 * the rare double-quoted scalar with a YAML-only escape, and one-line flow collections on request.
 */

export interface YamlEntry {
  /** Keys of the enclosing block mappings, outermost first. Live: valid only during the callback. */
  readonly parents: readonly string[];
  readonly key: string;
  /** The decoded scalar; null when the key opens a nested block or has no value. */
  readonly value: string | null;
  /** The raw text of a flow collection value (`{…}` / `[…]`), else null. */
  readonly flow: string | null;
  readonly line: number;
  readonly column: number;
}

export interface YamlScanSink {
  entry(e: YamlEntry): void;
  problem(at: Position, reason: string): void;
}

const MAX_FLOW_CHARS = 100_000;

type Scalar = { ok: true; value: string; end: number } | { ok: false; reason: string };

/** Decodes a quoted scalar starting at `start`; `end` is the index after the closing quote. */
function quoted(line: string, start: number): Scalar {
  const q = line[start]!;
  let from = start + 1;
  for (;;) {
    const close = line.indexOf(q, from);
    if (close === -1) return { ok: false, reason: "a quoted string continues onto the next line; lockfiles keep each on one line" };
    if (q === "'" && line[close + 1] === "'") {
      from = close + 2;
      continue;
    }
    if (q === '"') {
      let backslashes = 0;
      while (line.charCodeAt(close - 1 - backslashes) === 92) backslashes++;
      if (backslashes % 2 === 1) {
        from = close + 1;
        continue;
      }
    }
    const raw = line.slice(start + 1, close);
    if (q === "'") return { ok: true, value: raw.replaceAll("''", "'"), end: close + 1 };
    if (raw.indexOf("\\") === -1) return { ok: true, value: raw, end: close + 1 };
    try {
      return { ok: true, value: JSON.parse(line.slice(start, close + 1)) as string, end: close + 1 };
    } catch {
      try {
        return { ok: true, value: String(parseYaml(line.slice(start, close + 1))), end: close + 1 };
      } catch {
        return { ok: false, reason: "a double-quoted string has an invalid escape" };
      }
    }
  }
}

/** Index of the `:` that ends a plain key: followed by a space or the end of the line. */
function plainKeyEnd(line: string, from: number): number {
  for (let i = line.indexOf(":", from); i !== -1; i = line.indexOf(":", i + 1)) {
    const next = line[i + 1];
    if (next === undefined || next === " " || next === "\t") return i;
  }
  return -1;
}

function flowBalanced(flow: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < flow.length; i++) {
    const c = flow[i];
    if (quote !== null) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return depth === 0 && quote === null;
}

/** A one-line flow mapping as a plain record, or null when it is not one. */
export function parseFlowMapping(flow: string): Record<string, unknown> | null {
  if (flow.length > MAX_FLOW_CHARS) return null;
  try {
    const v: unknown = parseYaml(flow, { maxAliasCount: 0, uniqueKeys: false });
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function scanYamlBlocks(text: string, sink: YamlScanSink): void {
  const keys: string[] = [];
  const indents: number[] = [];
  // While >= 0, lines indented deeper than this belong to something skipped whole.
  let skipDeeperThan = -1;
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
    if (skipDeeperThan >= 0 && ind > skipDeeperThan) continue;
    skipDeeperThan = -1;
    const at = { line: lineNo, column: ind + 1 };
    if (line[ind] === "\t") {
      sink.problem(at, "a tab in the indentation; YAML indents with spaces only");
      skipDeeperThan = ind;
      continue;
    }
    if (ind === 0 && /^(---|\.\.\.)(\s|$)/.test(line)) {
      keys.length = 0;
      indents.length = 0;
      continue;
    }
    while (indents.length > 0 && indents[indents.length - 1]! >= ind) {
      indents.pop();
      keys.pop();
    }
    const c = line[ind]!;
    const next = line[ind + 1];
    if (c === "-" && (next === undefined || next === " ")) {
      skipDeeperThan = ind;
      continue;
    }
    if ("&*!|>{[".includes(c) || (c === "?" && (next === undefined || next === " "))) {
      sink.problem(at, `\`${c}\` starts a YAML construct lockfiles do not use (explicit key, anchor, alias, tag, block scalar or flow collection)`);
      skipDeeperThan = ind;
      continue;
    }

    let key: string;
    let rest: number;
    if (c === '"' || c === "'") {
      const k = quoted(line, ind);
      if (!k.ok) {
        sink.problem(at, k.reason);
        skipDeeperThan = ind;
        continue;
      }
      let colon = k.end;
      while (line[colon] === " ") colon++;
      if (line[colon] !== ":" || (line[colon + 1] !== undefined && line[colon + 1] !== " ")) {
        sink.problem(at, "expected `:` after a quoted key");
        skipDeeperThan = ind;
        continue;
      }
      key = k.value;
      rest = colon + 1;
    } else {
      const colon = plainKeyEnd(line, ind);
      if (colon === -1) {
        sink.problem(at, "expected `key: value` (or `key:` opening a block)");
        skipDeeperThan = ind;
        continue;
      }
      key = line.slice(ind, colon).trimEnd();
      rest = colon + 1;
    }

    while (line[rest] === " ") rest++;
    const v = line[rest];
    let value: string | null = null;
    let flow: string | null = null;
    const opensBlock = v === undefined || v === "#";
    if (opensBlock) {
      // Nothing to skip: deeper lines are this key's children.
    } else if (v === "'" || v === '"') {
      const s = quoted(line, rest);
      if (!s.ok) sink.problem({ line: lineNo, column: rest + 1 }, s.reason);
      else value = s.value;
    } else if (v === "{" || v === "[") {
      flow = line.slice(rest).trimEnd();
      if (!flowBalanced(flow)) sink.problem({ line: lineNo, column: rest + 1 }, "a flow collection (`{…}`/`[…]`) spans several lines; lockfiles keep each on one line");
    } else if (v === "&" || v === "*" || v === "!") {
      sink.problem({ line: lineNo, column: rest + 1 }, "anchors, aliases and tags are not used in lockfiles and are not followed");
    } else if (v !== "|" && v !== ">") {
      const comment = line.indexOf(" #", rest);
      value = (comment === -1 ? line.slice(rest) : line.slice(rest, comment)).trimEnd();
    }
    sink.entry({ parents: keys, key, value, flow, line: lineNo, column: ind + 1 });
    if (opensBlock) {
      keys.push(key);
      indents.push(ind);
    } else {
      // Deeper lines after a value are its continuation (plain or block scalar, flow), never keys.
      skipDeeperThan = ind;
    }
  }
}
