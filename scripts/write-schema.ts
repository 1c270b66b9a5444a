/**
 * Writes schema/invariants.schema.json from the zod schema (the single source). With --check it
 * only compares and exits 1 when the committed file is stale, which CI runs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { policyJsonSchema } from "../src/core/schema.js";

const target = join(import.meta.dirname, "..", "schema", "invariants.schema.json");
const fresh = JSON.stringify({ $id: "https://plumbline.dev/schema/invariants.schema.json", title: "Plumbline invariant file", ...(policyJsonSchema() as object) }, null, 2) + "\n";

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing counts as stale
  }
  if (current !== fresh) {
    process.stderr.write("schema/invariants.schema.json is stale: run `npm run schema` and commit the result\n");
    process.exit(1);
  }
  process.stdout.write("schema/invariants.schema.json is up to date\n");
} else {
  writeFileSync(target, fresh);
  process.stdout.write(`wrote ${target}\n`);
}
