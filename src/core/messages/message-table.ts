/** Renders one finding code from its evidence. Every message says where, what was expected, what is allowed. */
export type MessageTable = Readonly<Record<string, (evidence: Readonly<Record<string, string | number | boolean>>) => string>>;
