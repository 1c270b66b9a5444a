/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order, no whitespace, strings and
 * numbers exactly as JSON.stringify writes them. Hashes are taken over this text, so the same
 * value must give the same bytes on every machine and after any parse → serialise round trip.
 *
 * Rejected rather than guessed: non-finite numbers, bigint, functions, symbols, undefined
 * array items and non-plain objects (JSON.stringify would silently turn them into null, drop
 * them or call toJSON, and a hash over a lossy rendering would not survive the round trip
 * through Redis). Undefined object members are skipped, as JSON.stringify does, because parsing
 * the stored text gives the same object. Keys are written from a sorted list, never by relying
 * on object order (which puts integer-like keys first).
 */
export function canonicalJson(value: unknown): string {
  const out = write(value);
  if (out === null) throw new CanonicalJsonError(locate(value, "$") ?? { at: "$", what: "unsupported value" });
  return out;
}

export class CanonicalJsonError extends Error {
  readonly at: string;
  constructor(problem: { at: string; what: string }) {
    super(`cannot write canonical JSON at ${problem.at}: ${problem.what}`);
    this.name = "CanonicalJsonError";
    this.at = problem.at;
  }
}

/** Null: something unsupported inside; `locate` then finds where (the valid path builds no path strings). */
function write(value: unknown): string | null {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      // JSON.stringify(-0) is "0", so -0 and 0 hash alike, as they parse back alike.
      return Number.isFinite(value) ? JSON.stringify(value) : null;
    case "object": {
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          const item = value[i] === undefined ? null : write(value[i]);
          if (item === null) return null;
          out += i === 0 ? item : `,${item}`;
        }
        return `${out}]`;
      }
      if (!isPlain(value)) return null;
      const obj = value as Record<string, unknown>;
      let out = "{";
      for (const k of Object.keys(obj).sort()) {
        if (obj[k] === undefined) continue;
        const v = write(obj[k]);
        if (v === null) return null;
        out += `${out.length === 1 ? "" : ","}${quote(k)}:${v}`;
      }
      return `${out}}`;
    }
    default:
      return null;
  }
}

/** Most strings need no escaping; for them, skipping JSON.stringify halves the cost of a ledger entry. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function locate(value: unknown, at: string): { at: string; what: string } | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : { at, what: `non-finite number ${value}` };
  if (typeof value !== "object") return { at, what: `unsupported ${typeof value}` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = value[i] === undefined ? { at: `${at}[${i}]`, what: "undefined array item" } : locate(value[i], `${at}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  // A Date, Map or class instance has no single obvious JSON form; the caller converts first.
  if (!isPlain(value)) return { at, what: `not a plain object (${Object.getPrototypeOf(value)?.constructor?.name ?? "unknown"})` };
  for (const [k, v] of Object.entries(value)) {
    const found = v === undefined ? null : locate(v, `${at}.${k}`);
    if (found) return found;
  }
  return null;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
