import { z } from "zod";
import type { CompiledInvariant } from "../core/compile.js";

const HEADER_FIELDS = new Set(["id", "kind", "why", "owner", "enforcement"]);
const MAX = 400;

/**
 * The rule an invariant states, in one line built from its own fields (`from: src/core/**;
 * forbid: src/github/**`), so every kind is summarised the same way and a new kind needs no
 * code here. Fields left at their schema default (`cycles: allow`) say nothing and are dropped.
 * Agents read this to learn what *is* allowed before they try again.
 */
export function summarizeScope(inv: CompiledInvariant): string {
  const defaults = defaultsOf(inv.module.schema);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(inv.input as Record<string, unknown>)) {
    if (HEADER_FIELDS.has(key) || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    if (defaults.has(key) && JSON.stringify(defaults.get(key)) === JSON.stringify(value)) continue;
    parts.push(`${key}: ${render(value)}`);
  }
  const line = parts.join("; ");
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}

function defaultsOf(schema: z.ZodType): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!(schema instanceof z.ZodObject)) return out;
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (field instanceof z.ZodDefault) out.set(key, field.def.defaultValue);
  }
  return out;
}

function render(value: unknown): string {
  if (Array.isArray(value)) return value.map(render).join(", ");
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}
