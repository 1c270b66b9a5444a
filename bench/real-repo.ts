import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { cloneRepo, commitAll, listTrackedFiles, topLevel } from "./git.js";
import { renderDepcruiseConfig, renderInvariantsYaml, type BoundaryRule } from "./rules.js";

/**
 * Benchmarks someone's repository without touching it: everything happens in a private
 * clone (the measured tree is its HEAD, exactly what `plumbline check` reads). If the
 * repository already has import-boundary invariants they are used as they are and mirrored
 * for dependency-cruiser (its other invariants still run in Plumbline: extra work, never
 * less); otherwise a generic rule needing the whole graph is committed to
 * the clone. The clone has no node_modules, so dependency-cruiser leaves npm imports
 * unresolved, as Plumbline (which never reads node_modules) does.
 */

/** Production code must not import tests: meaningful anywhere, and it needs every edge. */
export const GENERIC_RULE: BoundaryRule = {
  id: "no-imports-of-tests",
  why: "Production code must not import test files.",
  from: ["**"],
  forbid: ["**/*.test.*", "**/*.spec.*"],
};

export interface PreparedRepo {
  readonly label: string;
  readonly dir: string;
  /** Absolute path of the dependency-cruiser config (kept outside the clone's tree). */
  readonly depcruiseConfig: string;
  readonly roots: readonly string[];
  readonly sourceFiles: number;
  readonly rules: readonly BoundaryRule[];
  readonly rulesFrom: "repository" | "generic";
  /** Temporary directory holding everything; the caller removes it. */
  readonly scratch: string;
}

const SOURCE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

export function prepareRealRepo(path: string): PreparedRepo {
  let source: string;
  try {
    source = topLevel(path);
  } catch {
    throw new Error(`${path} is not inside a git repository (plumbline checks the committed tree)`);
  }
  const scratch = mkdtempSync(join(tmpdir(), "plumbline-bench-real-"));
  const dir = join(scratch, "repo");
  cloneRepo(source, dir);

  let rules = readBoundaryRules(dir);
  const rulesFrom = rules.length > 0 ? "repository" : "generic";
  if (rules.length === 0) {
    rules = [GENERIC_RULE];
    mkdirSync(join(dir, "invariants"), { recursive: true });
    writeFileSync(join(dir, "invariants", "plumbline-bench.yml"), renderInvariantsYaml(rules));
    commitAll(dir, "plumbline bench: generic import-boundary rule");
  }
  const depcruiseConfig = join(scratch, "depcruise.cjs");
  writeFileSync(depcruiseConfig, renderDepcruiseConfig(rules, existsSync(join(dir, "tsconfig.json")) ? "tsconfig.json" : null));
  return {
    label: basename(source),
    dir,
    depcruiseConfig,
    roots: ["."],
    sourceFiles: listTrackedFiles(dir).filter((f) => SOURCE.test(f) && !f.includes("node_modules/")).length,
    rules,
    rulesFrom,
    scratch,
  };
}

/** The repository's import-boundary invariants, every clause kept, for mirroring. */
function readBoundaryRules(dir: string): BoundaryRule[] {
  const rules: BoundaryRule[] = [];
  for (const folder of ["invariants", ".github/invariants"]) {
    const abs = join(dir, folder);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      let doc: unknown;
      try {
        doc = parse(readFileSync(join(abs, name), "utf8"));
      } catch {
        continue; // plumbline itself will report the broken file
      }
      const list = (doc as { invariants?: unknown } | null)?.invariants;
      if (!Array.isArray(list)) continue;
      for (const inv of list as Record<string, unknown>[]) {
        if (inv?.["kind"] !== "import-boundary" || !isStrings(inv["from"])) continue;
        const strings = (k: string) => (isStrings(inv[k]) ? { [k]: inv[k] } : {});
        rules.push({
          id: String(inv["id"]),
          why: String(inv["why"] ?? ""),
          from: inv["from"],
          ...strings("exclude"),
          ...strings("forbid"),
          ...strings("allow"),
          ...(inv["cycles"] === "forbid" ? { cycles: "forbid" as const } : {}),
          ...(inv["typeOnly"] === "ignore" ? { typeOnly: "ignore" as const } : {}),
        });
      }
    }
  }
  return rules;
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === "string");
}
