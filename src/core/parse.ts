import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import type { z } from "zod";
import { formatField, type PolicyError } from "./policy-error.js";
import { policyFileSchema, type PolicyFile } from "./schema.js";
import { allowedKeys, schemaAt } from "./schema-walk.js";

/** Invariant files are small; a cap keeps a hostile 10 MB file from costing a worker anything. */
export const MAX_POLICY_BYTES = 256 * 1024;

/** Keys that would reach an object's prototype if anyone ever merged the parsed data. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export interface ParsedPolicyFile {
  readonly path: string;
  readonly data: PolicyFile;
  /** 1-based position of the node at a field path (or of its nearest existing parent). */
  readonly locate: (field: readonly PropertyKey[]) => { line: number; column: number };
}

export type ParseResult = { ok: true; file: ParsedPolicyFile } | { ok: false; errors: PolicyError[] };

/** parse stage: YAML text → validated PolicyFile, or every error with file:line:column. */
export function parsePolicyFile(path: string, text: string): ParseResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_POLICY_BYTES) {
    return fail(path, 1, 1, "", `an invariant file of at most ${MAX_POLICY_BYTES} bytes, got ${bytes}`, "split the policy into several files under invariants/");
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    uniqueKeys: true,
    merge: false,
    strict: true,
    prettyErrors: false,
    schema: "core",
  });
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const errors: PolicyError[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const at = pos(e.pos[0]);
    errors.push({ file: path, ...at, field: "", expected: yamlExpectation(e.code, e.message), allowed: null });
  }
  visit(doc, {
    Alias(_, node) {
      errors.push({ file: path, ...pos(node.range?.[0] ?? 0), field: "", expected: `no YAML alias (found \`*${node.source}\`)`, allowed: "write the value out in full; aliases are disabled so a file cannot expand into a billion entries" });
    },
    Node(_, node) {
      if (node.anchor) errors.push({ file: path, ...pos(node.range?.[0] ?? 0), field: "", expected: `no YAML anchor (found \`&${node.anchor}\`)`, allowed: "write the value out in full" });
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value === "string" && FORBIDDEN_KEYS.has(pair.key.value)) {
        errors.push({ file: path, ...pos(pair.key.range?.[0] ?? 0), field: "", expected: `an ordinary key, got the reserved key \`${pair.key.value}\``, allowed: "the keys listed in schema/invariants.schema.json" });
      } else if (pair.key !== null && !isScalar(pair.key)) {
        const at = isNode(pair.key) ? pos(pair.key.range?.[0] ?? 0) : { line: 1, column: 1 };
        errors.push({ file: path, ...at, field: "", expected: "a plain scalar key", allowed: "string keys only; complex keys (`? [a]`) are not part of the grammar" });
      }
    },
  });
  if (errors.length > 0) return { ok: false, errors: dedupe(errors) };
  if (doc.contents === null) return fail(path, 1, 1, "", "a mapping with `version: 1` and `invariants:`, got an empty document", "see schema/invariants.schema.json");

  const locate = locator(doc, pos);
  const locateKey = (field: readonly PropertyKey[], key: string) =>
    keyPosition(doc.getIn(field as unknown[], true) as Node | null, key, pos) ?? locate(field);
  const raw = doc.toJS({ maxAliasCount: 0 }) as unknown;
  const result = policyFileSchema.safeParse(raw);
  if (!result.success) {
    return { ok: false, errors: result.error.issues.flatMap((issue) => issueToErrors(path, issue, raw, locate, locateKey)) };
  }
  return { ok: true, file: { path, data: result.data as PolicyFile, locate } };
}

function locator(doc: Document, pos: (o: number) => { line: number; column: number }) {
  return (field: readonly PropertyKey[]) => {
    for (let n = field.length; n >= 0; n--) {
      const node = doc.getIn(field.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return pos(node.range[0]);
    }
    return { line: 1, column: 1 };
  };
}

/** Position of an unknown key's own token, not of the mapping that holds it. */
function keyPosition(parent: Node | null, key: string, pos: (o: number) => { line: number; column: number }) {
  if (!isMap(parent)) return null;
  for (const item of parent.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key && item.key.range) return pos(item.key.range[0]);
  }
  return null;
}

function issueToErrors(
  file: string,
  issue: z.core.$ZodIssue,
  raw: unknown,
  locate: (f: readonly PropertyKey[]) => { line: number; column: number },
  locateKey: (f: readonly PropertyKey[], key: string) => { line: number; column: number },
): PolicyError[] {
  const path = issue.path as PropertyKey[];
  const field = formatField(path);
  const at = locate(path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(schemaAt(policyFileSchema, path, raw));
      return issue.keys.map((key) => ({
        file,
        ...locateKey(path, key),
        field: formatField([...path, key]),
        expected: `no key \`${key}\` here (unknown key)`,
        allowed: allowed.length ? allowed.join(", ") : null,
      }));
    }
    case "invalid_union": {
      const options = (issue as { options?: unknown[] }).options;
      if (options) {
        const got = valueAt(raw, path);
        return [{ file, ...at, field, expected: `a known kind, got ${JSON.stringify(got) ?? "nothing"}`, allowed: options.map(String).join(", ") }];
      }
      return [{ file, ...at, field, expected: issue.message, allowed: null }];
    }
    case "invalid_value":
      return [{ file, ...at, field, expected: `one of the listed values, got ${JSON.stringify(valueAt(raw, path)) ?? "nothing"}`, allowed: issue.values.map((v) => JSON.stringify(v)).join(", ") }];
    case "invalid_type": {
      const got = valueAt(raw, path);
      const found = got === undefined ? "nothing (the field is required)" : `${Array.isArray(got) ? "a list" : got === null ? "null" : typeof got}`;
      return [{ file, ...at, field, expected: `${issue.expected}, got ${found}`, allowed: null }];
    }
    default:
      return [{ file, ...at, field, expected: issue.message.replace(/^Invalid input: expected /, "").replace(/^Invalid string: must match pattern .*$/, "a value of the right shape"), allowed: null }];
  }
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[k as string];
  }
  return v;
}

function yamlExpectation(code: string, message: string): string {
  const first = message.split(" at line ")[0] ?? message;
  switch (code) {
    case "DUPLICATE_KEY":
      return "each key once per mapping (duplicate key)";
    case "TAG_RESOLVE_FAILED":
      return `only standard YAML tags (${first.toLowerCase()})`;
    default:
      return `valid YAML (${first})`;
  }
}

function fail(file: string, line: number, column: number, field: string, expected: string, allowed: string | null): ParseResult {
  return { ok: false, errors: [{ file, line, column, field, expected, allowed }] };
}

function dedupe(errors: PolicyError[]): PolicyError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.line}:${e.column}:${e.expected}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
