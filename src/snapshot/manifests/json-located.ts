/**
 * A strict JSON parser that remembers where every object key and array item starts.
 * `JSON.parse` gives values but no positions, and findings must point at the line of the
 * package entry. One pass, no backtracking, nesting capped, so a crafted 50 MB lockfile
 * stays linear and cannot overflow the stack; it never throws, it returns the failure.
 * Objects are Maps, so a `__proto__` key is just a key.
 */

export interface JsonMember {
  readonly value: JsonValue;
  /** UTF-16 offset of the key's opening quote (objects) or of the item (arrays). */
  readonly at: number;
}
export interface JsonObject {
  readonly type: "object";
  readonly members: ReadonlyMap<string, JsonMember>;
}
export interface JsonArray {
  readonly type: "array";
  readonly items: readonly JsonMember[];
}
export type JsonValue = string | number | boolean | null | JsonObject | JsonArray;

export type JsonParse = { ok: true; value: JsonValue } | { ok: false; at: number; reason: string };

export const MAX_JSON_DEPTH = 512;

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && v.type === "object";
}

export function isJsonArray(v: JsonValue | undefined): v is JsonArray {
  return typeof v === "object" && v !== null && v.type === "array";
}

/** The string value of `key`, or null when absent or not a string. */
export function stringMember(obj: JsonObject, key: string): string | null {
  const v = obj.members.get(key)?.value;
  return typeof v === "string" ? v : null;
}

class Failure {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseJsonLocated(text: string): JsonParse {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };
  const describe = (at: number): string => (at >= text.length ? "the end of the file" : `\`${text[at]}\``);

  const parseString = (): string => {
    const start = i;
    let from = i + 1;
    let escaped = false;
    let end: number;
    for (;;) {
      end = text.indexOf('"', from);
      if (end === -1) throw new Failure(start, "a string is never closed (missing `\"`)");
      let backslashes = 0;
      while (text.charCodeAt(end - 1 - backslashes) === 92) backslashes++;
      if (backslashes % 2 === 0) break;
      escaped = true;
      from = end + 1;
    }
    i = end + 1;
    const raw = text.slice(start + 1, end);
    if (!escaped && raw.indexOf("\\") === -1) {
      const newline = raw.indexOf("\n");
      if (newline !== -1) throw new Failure(start + 1 + newline, "a string runs past the end of its line (missing `\"`)");
      return raw;
    }
    try {
      return JSON.parse(text.slice(start, end + 1)) as string;
    } catch {
      throw new Failure(start, "a string has an invalid escape or control character");
    }
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_JSON_DEPTH) throw new Failure(i, `nested deeper than ${MAX_JSON_DEPTH} levels`);
    skipSpace();
    const c = text[i];
    if (c === "{") return parseObject(depth);
    if (c === "[") return parseArray(depth);
    if (c === '"') return parseString();
    if (text.startsWith("true", i)) return (i += 4), true;
    if (text.startsWith("false", i)) return (i += 5), false;
    if (text.startsWith("null", i)) return (i += 4), null;
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    throw new Failure(i, `expected a value, found ${describe(i)}`);
  };

  const parseObject = (depth: number): JsonObject => {
    const members = new Map<string, JsonMember>();
    i++;
    skipSpace();
    if (text[i] === "}") return i++, { type: "object", members };
    for (;;) {
      skipSpace();
      if (text[i] !== '"') throw new Failure(i, `expected a quoted key, found ${describe(i)}`);
      const at = i;
      const key = parseString();
      skipSpace();
      if (text[i] !== ":") throw new Failure(i, `expected \`:\` after the key "${key.slice(0, 80)}", found ${describe(i)}`);
      i++;
      const value = parseValue(depth + 1);
      // Same as JSON.parse: a repeated key keeps its last value (and that value's position).
      members.delete(key);
      members.set(key, { value, at });
      skipSpace();
      if (text[i] === ",") i++;
      else if (text[i] === "}") return i++, { type: "object", members };
      else throw new Failure(i, `expected \`,\` or \`}\` after a member, found ${describe(i)}`);
    }
  };

  const parseArray = (depth: number): JsonArray => {
    const items: JsonMember[] = [];
    i++;
    skipSpace();
    if (text[i] === "]") return i++, { type: "array", items };
    for (;;) {
      skipSpace();
      const at = i;
      items.push({ value: parseValue(depth + 1), at });
      skipSpace();
      if (text[i] === ",") i++;
      else if (text[i] === "]") return i++, { type: "array", items };
      else throw new Failure(i, `expected \`,\` or \`]\` after an item, found ${describe(i)}`);
    }
  };

  try {
    skipSpace();
    if (i >= text.length) return { ok: false, at: 0, reason: "the file is empty" };
    const value = parseValue(0);
    skipSpace();
    if (i < text.length) return { ok: false, at: i, reason: `unexpected ${describe(i)} after the end of the JSON value` };
    return { ok: true, value };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, at: err.at, reason: err.reason };
    // A RangeError (stack) cannot happen below MAX_JSON_DEPTH on Node's default stack; report it anyway.
    return { ok: false, at: i, reason: `could not be parsed (${(err as Error).message})` };
  }
}
