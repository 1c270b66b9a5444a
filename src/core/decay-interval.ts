/** `settings.auditInterval` (`30m`, `6h`, `1d`, validated by the schema) in milliseconds. */
export const DEFAULT_AUDIT_INTERVAL = "6h";

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function auditIntervalMs(interval: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(interval);
  if (!m) throw new RangeError(`an audit interval such as \`30m\`, \`6h\` or \`1d\`, got \`${interval}\``);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  // `0h` passes the schema's pattern but would make a scheduler spin: one minute is the floor.
  return Math.max(ms, UNIT_MS.m!);
}
