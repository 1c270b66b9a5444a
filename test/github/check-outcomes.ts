import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { checkRevision, type CheckOutcome } from "../../src/check/check-revision.js";
import type { ActorSignals } from "../../src/core/actor.js";
import { dirFileSource } from "../../src/snapshot/dir-file-source.js";

/** Real CheckOutcomes for the check-run tests: small trees on disk through the one use case. */

export type Tree = Record<string, string>;

export const NOW = new Date("2026-11-26T00:00:00Z");

async function writeTree(root: string, tree: Tree): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

export async function outcomeOf(head: Tree, opts: { base?: Tree; actor?: ActorSignals } = {}): Promise<CheckOutcome> {
  const root = await mkdtemp(join(tmpdir(), "plumbline-check-run-"));
  try {
    await writeTree(join(root, "head"), head);
    if (opts.base) await writeTree(join(root, "base"), opts.base);
    return await checkRevision({
      head: dirFileSource(join(root, "head"), { label: "head" }),
      base: opts.base ? dirFileSource(join(root, "base"), { label: "base" }) : null,
      actor: opts.actor ?? null,
      now: NOW,
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export type VerdictOutcome = Extract<CheckOutcome, { type: "verdict" }>;

export async function verdictOf(head: Tree, opts: { base?: Tree; actor?: ActorSignals } = {}): Promise<VerdictOutcome> {
  const o = await outcomeOf(head, opts);
  if (o.type !== "verdict") throw new Error(`expected a verdict, got ${JSON.stringify(o).slice(0, 500)}`);
  return o;
}

/** A content rule per enforcement level; `src/**` files with `console.log(`, `debugger` or `FIXME` violate them. */
export const POLICY = `version: 1
invariants:
  - id: no-console
    kind: content
    why: Logs go through the logger
    files: ["src/**/*.ts"]
    forbid: 'console\\.log\\('
  - id: no-debugger
    kind: content
    why: Debugger statements stop production
    enforcement: warn
    files: ["src/**/*.ts"]
    forbid: 'debugger'
  - id: no-fixme
    kind: content
    why: FIXMEs are tracked in issues
    enforcement: observe
    files: ["src/**/*.ts"]
    forbid: 'FIXME'
`;

export function consoleLines(n: number): string {
  return Array.from({ length: n }, (_, i) => `console.log(${i});`).join("\n") + "\n";
}
