import type { PolicyError } from "../core/policy-error.js";
import type { PolicySource } from "../core/compile.js";
import type { FileSource, TreeEntry } from "../snapshot/file-source.js";

/** Where invariant files live: directly inside these folders, `*.yml` or `*.yaml`. */
const POLICY_FILE = /^(?:invariants|\.github\/invariants)\/[^/]+\.ya?ml$/;

/** A repository with hundreds of policy files is an attack or a mistake, not a policy. */
export const MAX_POLICY_FILES = 100;

export function isPolicyPath(path: string): boolean {
  return POLICY_FILE.test(path);
}

export interface LoadedPolicySources {
  readonly sources: PolicySource[];
  readonly errors: PolicyError[];
}

/** load: reads every invariant file of a revision. An unreadable one is an error (fail closed), never skipped. */
export async function loadPolicySources(source: FileSource, entries: readonly TreeEntry[]): Promise<LoadedPolicySources> {
  const paths = entries.filter((e) => isPolicyPath(e.path)).map((e) => e.path);
  const errors: PolicyError[] = [];
  if (paths.length > MAX_POLICY_FILES) {
    errors.push({ file: paths[MAX_POLICY_FILES]!, line: 1, column: 1, field: "", expected: `at most ${MAX_POLICY_FILES} invariant files, found ${paths.length}`, allowed: "merge related invariants into fewer files" });
    return { sources: [], errors };
  }
  for (const e of entries) {
    if (isPolicyPath(e.path) && e.type !== "file") {
      errors.push({ file: e.path, line: 1, column: 1, field: "", expected: `a regular file, got a ${e.type}`, allowed: "invariant files must be committed as plain files (a symlink could point anywhere)" });
    }
  }
  const files = paths.filter((p) => entries.find((e) => e.path === p)?.type === "file");
  const read = await source.readFiles(files);
  const sources: PolicySource[] = [];
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  for (const path of files) {
    const data = read.get(path);
    if (data === undefined || data instanceof Error) {
      errors.push({ file: path, line: 1, column: 1, field: "", expected: `a readable file (${data instanceof Error ? data.message : "no data"})`, allowed: null });
      continue;
    }
    try {
      sources.push({ path, text: utf8.decode(data) });
    } catch {
      errors.push({ file: path, line: 1, column: 1, field: "", expected: "UTF-8 text", allowed: "save the file as UTF-8" });
    }
  }
  return { sources, errors };
}
