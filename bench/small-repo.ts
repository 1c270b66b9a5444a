import type { FakeGitHub } from "../test/fake-github/index.js";
import { CORE_RULE } from "./generate-repo.js";
import { renderInvariantsYaml } from "./rules.js";

/**
 * A repository of a few files for load runs: small enough that a run measures the pipeline
 * (queue, API round trips, check run) rather than parsing, with a real import-boundary
 * invariant over directories that exist.
 */
export const SMALL_FILES: Readonly<Record<string, string>> = {
  "invariants/architecture.yml": renderInvariantsYaml([CORE_RULE]),
  "package.json": `{ "name": "small", "private": true, "type": "module" }\n`,
  "src/core/model.ts": `export interface Item { id: string }\nexport const make = (id: string): Item => ({ id });\n`,
  "src/core/rules.ts": `import { make } from "./model.js";\nexport const first = make("1");\n`,
  "src/adapters/db.ts": `import type { Item } from "../core/model.js";\nexport const save = (i: Item) => i.id;\n`,
  "src/ui/view.tsx": `import { first } from "../core/rules.js";\nexport const View = () => first.id;\n`,
  "src/feature.ts": `export const feature = 0;\n`,
};

/** The one file each load push changes (a clean change: it imports only core). */
export const FEATURE_PATH = "src/feature.ts";
export const featureContent = (n: number): string => `import { first } from "./core/rules.js";\nexport const feature = ${n};\nexport const id = first.id;\n`;

/** Creates `owner/name` under the installation with the small tree on `main`; returns its first SHA. */
export async function createSmallRepo(fake: FakeGitHub, installationId: number, owner: string, name: string): Promise<string> {
  await fake.createRepo(installationId, { owner, name });
  return fake.commit(`${owner}/${name}`, { branch: "main", message: "init", files: SMALL_FILES });
}
