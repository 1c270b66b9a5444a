import { z } from "zod";
import { kinds } from "./kinds/index.js";

/**
 * Finds the zod schema that validates the value at `path`, so an error about an unknown key
 * can list the keys that are allowed there. Invariants pick their kind's schema from the data.
 */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): z.ZodType | null {
  let schema: z.ZodType | null = root;
  let value: unknown = data;
  for (const key of path) {
    schema = schema ? unwrap(schema, value) : null;
    if (!schema) return null;
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(key)] ?? null;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return null;
    value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key as string] : undefined;
  }
  return schema ? unwrap(schema, value) : null;
}

function unwrap(schema: z.ZodType, value: unknown): z.ZodType | null {
  let s: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodDiscriminatedUnion) {
      const kind = value !== null && typeof value === "object" ? (value as { kind?: unknown }).kind : undefined;
      const mod = typeof kind === "string" ? kinds[kind] : undefined;
      return mod ? (mod.schema as z.ZodType) : null;
    } else if (s instanceof z.ZodUnion) {
      const object = s.options.find((o) => o instanceof z.ZodObject);
      return (object as z.ZodType | undefined) ?? null;
    } else return s;
  }
  return s;
}

export function allowedKeys(schema: z.ZodType | null): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}
