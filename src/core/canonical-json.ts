/**
 * Canonical JSON: object keys sorted by UTF-16 code unit order, no whitespace, strings and
 * numbers exactly as JSON.stringify writes them. Hashes are taken over this text, so the same
 * value must give the same bytes on every machine and after any parse → serialise round trip.
 *
 * Rejected rather than guessed: non-finite numbers, bigint, functions, symbols and undefined
 * array items (JSON.stringify would silently turn them into null or drop them, and a hash over
 * a lossy rendering would not survive the round trip through Redis). Undefined object members
 * are skipped, as JSON.stringify does, because parsing the stored text gives the same object.
 */
export function canonicalJson(value: unknown): string {
  return write(value, "$");
}

export class CanonicalJsonError extends Error {
  constructor(readonly at: string, what: string) {
    super(`cannot write canonical JSON at ${at}: ${what}`);
    this.name = "CanonicalJsonError";
  }
}

function write(value: unknown, at: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError(at, `non-finite number ${value}`);
      // -0 and 0 must hash alike: JSON.parse("-0") is -0 but JSON.stringify(-0) is "0".
      return JSON.stringify(value);
    case "object":
      return Array.isArray(value) ? writeArray(value, at) : writeObject(value as Record<string, unknown>, at);
    default:
      throw new CanonicalJsonError(at, `unsupported ${typeof value}`);
  }
}

function writeArray(items: readonly unknown[], at: string): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    if (items[i] === undefined) throw new CanonicalJsonError(`${at}[${i}]`, "undefined array item");
    parts.push(write(items[i], `${at}[${i}]`));
  }
  return `[${parts.join(",")}]`;
}

function writeObject(obj: Record<string, unknown>, at: string): string {
  const proto = Object.getPrototypeOf(obj);
  // A Date, Map or class instance has no single obvious JSON form; the caller converts first.
  if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(at, `not a plain object (${proto?.constructor?.name ?? "unknown"})`);
  const keys = Object.keys(obj).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${write(v, `${at}.${k}`)}`);
  }
  return `{${parts.join(",")}}`;
}
