/** A problem with an invariant file, located precisely enough for an editor or a check annotation. */
export interface PolicyError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted field path, e.g. `invariants[2].forbid[0]`; empty for the whole file. */
  readonly field: string;
  /** What was expected at that place (and what was found). */
  readonly expected: string;
  /** What is allowed instead; null when `expected` says it all. */
  readonly allowed: string | null;
}

export function formatField(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

export function renderPolicyError(e: PolicyError): string {
  const where = `${e.file}:${e.line}:${e.column}`;
  const field = e.field ? ` ${e.field}:` : "";
  return `${where}${field} expected ${e.expected}${e.allowed ? ` (allowed: ${e.allowed})` : ""}`;
}
