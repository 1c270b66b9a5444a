import { z } from "zod";

/** Fields every invariant carries, whatever its kind. Kinds spread this into their own strict object. */
export const ENFORCEMENTS = ["block", "warn", "observe"] as const;
export type Enforcement = (typeof ENFORCEMENTS)[number];

export const invariantId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, "a stable id of lowercase letters, digits, `.`, `_` or `-` (at most 80 characters)")
  .describe("Stable id, used in fingerprints, waivers and the ledger.");

export const baseFields = {
  id: invariantId,
  why: z.string().min(1).max(2000).describe("Why this invariant exists; shown with every finding and to agents before they act."),
  owner: z.string().min(1).max(200).optional().describe("Who owns the invariant, e.g. `@acme/platform`."),
  enforcement: z.enum(ENFORCEMENTS).default("block").describe("block fails the check; warn annotates; observe only records."),
};

/** The base fields after compile: no optional fields remain. */
export interface InvariantHeader {
  readonly id: string;
  readonly kind: string;
  readonly why: string;
  readonly owner: string | null;
  readonly enforcement: Enforcement;
}
