import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ImportEdge } from "../src/core/snapshot.js";
import { DEPCRUISE_BIN } from "./tools.js";
import { listTrackedFiles } from "./git.js";

/**
 * Edge parity: do Plumbline and dependency-cruiser find the same module → module edges on
 * the same tree? "10× faster" only counts if the answer is the same. Both sides are reduced
 * to distinct (importer, imported file) pairs inside the repository; Plumbline's extra
 * barrel edges (`via` non-empty: the declaring module behind an `export *`) have no
 * dependency-cruiser counterpart and are counted apart.
 *
 * Standalone: `tsx bench/compare-edges.ts <repo> [--config .dependency-cruiser.cjs] [roots…]`.
 */

export interface EdgeParity {
  readonly both: number;
  readonly onlyDepcruise: readonly string[];
  readonly onlyPlumbline: readonly string[];
  /** Plumbline edges that pass through a barrel, excluded from the comparison. */
  readonly barrelEdges: number;
  /** Errors dependency-cruiser's rule reported in the same run. */
  readonly depcruiseViolations: number;
}

export type ParityResult = { readonly ok: true; readonly parity: EdgeParity } | { readonly ok: false; readonly reason: string };

const TIMEOUT_MS = 10 * 60_000;
/** Files Plumbline's snapshot would skip as too large to be source; text files only. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

interface CruiseOutput {
  modules: { source: string; dependencies: { resolved: string; coreModule: boolean; couldNotResolve: boolean }[] }[];
  summary: { error: number };
}

export async function compareEdges(repoDir: string, config: string, roots: readonly string[]): Promise<ParityResult> {
  const files = listTrackedFiles(repoDir);
  const tracked = new Set(files);
  let cruise: CruiseOutput;
  try {
    cruise = runDepcruiseJson(repoDir, config, roots);
  } catch (e) {
    return { ok: false, reason: `dependency-cruiser failed: ${(e as Error).message.split("\n")[0]}` };
  }
  const dc = new Set<string>();
  for (const m of cruise.modules) {
    if (!tracked.has(m.source)) continue;
    for (const d of m.dependencies) {
      if (!d.coreModule && !d.couldNotResolve && tracked.has(d.resolved)) dc.add(`${m.source} -> ${d.resolved}`);
    }
  }

  let edges: readonly ImportEdge[];
  try {
    const { buildImportGraph } = await import("../src/snapshot/import-graph.js");
    edges = buildImportGraph({ files, contents: readContents(repoDir, files) }).edges;
  } catch (e) {
    return { ok: false, reason: `plumbline import graph unavailable: ${(e as Error).message.split("\n")[0]}` };
  }
  const pl = new Set<string>();
  let barrelEdges = 0;
  for (const e of edges) {
    if (e.target.type !== "file") continue;
    if (e.via.length > 0) barrelEdges++;
    else pl.add(`${e.from} -> ${e.target.path}`);
  }

  return {
    ok: true,
    parity: {
      both: [...dc].filter((k) => pl.has(k)).length,
      onlyDepcruise: [...dc].filter((k) => !pl.has(k)).sort(),
      onlyPlumbline: [...pl].filter((k) => !dc.has(k)).sort(),
      barrelEdges,
      depcruiseViolations: cruise.summary.error,
    },
  };
}

/** JSON goes to a file, not a pipe: for 10k files it runs to tens of megabytes. */
function runDepcruiseJson(repoDir: string, config: string, roots: readonly string[]): CruiseOutput {
  const scratch = mkdtempSync(join(tmpdir(), "plumbline-parity-"));
  try {
    const out = join(scratch, "cruise.json");
    try {
      execFileSync(process.execPath, [DEPCRUISE_BIN, "--no-cache", "--config", config, "--output-type", "json", "--output-to", out, ...roots], {
        cwd: repoDir,
        timeout: TIMEOUT_MS,
        stdio: ["ignore", "ignore", "pipe"],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      // It exits with the number of rule errors; only a missing report means it failed.
      const status = (e as { status?: number }).status;
      if (typeof status !== "number" || status === 0) throw e;
    }
    return JSON.parse(readFileSync(out, "utf8")) as CruiseOutput;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** What a snapshot would hold: the text of every tracked file that is reasonably sized and not binary. */
function readContents(repoDir: string, files: readonly string[]): Map<string, string> {
  const contents = new Map<string, string>();
  for (const f of files) {
    let buf: Buffer;
    try {
      buf = readFileSync(join(repoDir, f));
    } catch {
      continue; // a submodule or a symlink to nowhere: not text we can read
    }
    if (buf.length > MAX_FILE_BYTES || buf.includes(0)) continue;
    contents.set(f, buf.toString("utf8"));
  }
  return contents;
}

export function formatParity(p: EdgeParity, examples = 10): string[] {
  const lines = [
    `edges: both ${p.both}, only dependency-cruiser ${p.onlyDepcruise.length}, only plumbline ${p.onlyPlumbline.length}` +
      ` (plus ${p.barrelEdges} plumbline barrel edges, not compared)`,
  ];
  const show = (label: string, list: readonly string[]) => {
    if (list.length === 0) return;
    lines.push(`  ${label} (${Math.min(examples, list.length)} of ${list.length}):`);
    for (const k of list.slice(0, examples)) lines.push(`    ${k}`);
  };
  show("only dependency-cruiser", p.onlyDepcruise);
  show("only plumbline", p.onlyPlumbline);
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const repo = resolve(args[0] ?? ".");
  const ci = args.indexOf("--config");
  const config = ci >= 0 ? args[ci + 1]! : ".dependency-cruiser.cjs";
  const roots = args.slice(1).filter((a, i, all) => a !== "--config" && all[i - 1] !== "--config");
  const result = await compareEdges(repo, config, roots.length ? roots : ["."]);
  if (!result.ok) {
    process.stderr.write(`${result.reason}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${formatParity(result.parity).join("\n")}\n`);
  }
}
