/**
 * Thrown by a kind's `compile` when a field is well-typed but unusable (a bad glob, a non-RE2
 * regex, an unknown agent id). The engine maps `field` to the YAML line of the offending node.
 */
export class CompileError extends Error {
  constructor(
    /** Path of the field inside the invariant, e.g. `["forbid", 2]`. */
    readonly field: readonly (string | number)[],
    /** What was expected there. */
    readonly expected: string,
    /** What is allowed instead, when that helps the reader fix it. */
    readonly allowed: string | null = null,
  ) {
    super(allowed ? `${expected}; ${allowed}` : expected);
    this.name = "CompileError";
  }
}
