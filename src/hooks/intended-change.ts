import { realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import type { TreeEntry } from "../snapshot/file-source.js";

/**
 * What a tool call would do to the repository, before it runs: new bytes per path (null deletes
 * it) and paths it touches with content nobody can know in advance (`cmd > file`), which are
 * judged by path alone. Paths are repository-relative with `/`.
 */
export interface IntendedChange {
  readonly writes: Map<string, Uint8Array | null>;
  readonly touched: Set<string>;
}

/** The repository as the tool call finds it. */
export interface ChangeContext {
  /** Canonical (symlink-free) repository root. */
  readonly root: string;
  /** Directory the agent's commands run in. */
  readonly cwd: string;
  /** The working tree's entries; listing reads every file, so builders ask only when they must. */
  files(): Promise<readonly TreeEntry[]>;
  read(path: string): Promise<Uint8Array | null>;
}

export const emptyChange = (): IntendedChange => ({ writes: new Map(), touched: new Set() });

export const isEmptyChange = (c: IntendedChange): boolean => c.writes.size === 0 && c.touched.size === 0;

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

const editSchema = z.object({ old_string: z.string(), new_string: z.string(), replace_all: z.boolean().optional() });
/** Tool inputs as Claude Code sends them; unknown extra fields are tolerated, missing ones are not. */
export const toolInputSchemas = {
  Write: z.object({ file_path: z.string().min(1), content: z.string() }),
  Edit: editSchema.extend({ file_path: z.string().min(1) }),
  MultiEdit: z.object({ file_path: z.string().min(1), edits: z.array(editSchema) }),
  NotebookEdit: z.object({
    notebook_path: z.string().min(1),
    new_source: z.string().optional(),
    cell_id: z.string().optional(),
    cell_type: z.enum(["code", "markdown"]).optional(),
    edit_mode: z.enum(["replace", "insert", "delete"]).optional(),
  }),
  Bash: z.object({ command: z.string() }),
} as const;

export type EditSpec = z.infer<typeof editSchema>;

/** Repository-relative path of an absolute one, or null when it lies outside (or in `.git/`). */
export function repoPathOf(ctx: { root: string }, abs: string): string | null {
  const rel = relative(ctx.root, canonical(abs));
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  const path = rel.split(sep).join("/");
  return path === ".git" || path.startsWith(".git/") ? null : path;
}

/** Resolves symlinks in the part of the path that exists, so `/tmp/x` and `/private/tmp/x` agree. */
export function canonical(abs: string): string {
  const tail: string[] = [];
  let at = resolve(abs);
  for (;;) {
    try {
      return join(realpathSync(at), ...tail.reverse());
    } catch {
      const up = dirname(at);
      if (up === at) return resolve(abs);
      tail.push(basename(at));
      at = up;
    }
  }
}

/**
 * Claude Code's Edit semantics: `old_string` must occur exactly once unless `replace_all`; an
 * empty `old_string` creates a missing file. Null when the tool itself would refuse the edit, so
 * the hook lets it fail on its own terms instead of judging a change that will not happen.
 */
export function applyEdits(current: string | null, edits: readonly EditSpec[]): string | null {
  let text = current;
  for (const e of edits) {
    if (text === null) {
      if (e.old_string !== "") return null;
      text = e.new_string;
      continue;
    }
    if (e.old_string === "" || e.old_string === e.new_string) return null;
    const parts = text.split(e.old_string);
    if (parts.length === 1 || (parts.length > 2 && !e.replace_all)) return null;
    text = parts.join(e.new_string);
  }
  return text;
}

export async function writeChange(ctx: ChangeContext, filePath: string, content: string): Promise<IntendedChange> {
  const change = emptyChange();
  const path = repoPathOf(ctx, resolve(ctx.cwd, filePath));
  if (path !== null) change.writes.set(path, utf8.encode(content));
  return change;
}

export async function editChange(ctx: ChangeContext, filePath: string, edits: readonly EditSpec[]): Promise<IntendedChange> {
  const change = emptyChange();
  const path = repoPathOf(ctx, resolve(ctx.cwd, filePath));
  if (path === null) return change;
  const current = await ctx.read(path);
  const next = applyEdits(current === null ? null : decoder.decode(current), edits);
  if (next !== null) change.writes.set(path, utf8.encode(next));
  return change;
}

/**
 * Jupyter notebooks are JSON; the edit is applied to the cell it names so content rules see the
 * new source. A notebook that does not parse is still judged by its path.
 */
export async function notebookChange(ctx: ChangeContext, input: z.infer<typeof toolInputSchemas.NotebookEdit>): Promise<IntendedChange> {
  const change = emptyChange();
  const path = repoPathOf(ctx, resolve(ctx.cwd, input.notebook_path));
  if (path === null) return change;
  const current = await ctx.read(path);
  const next = current === null ? null : editNotebook(decoder.decode(current), input);
  if (next === null) change.touched.add(path);
  else change.writes.set(path, utf8.encode(next));
  return change;
}

function editNotebook(text: string, input: z.infer<typeof toolInputSchemas.NotebookEdit>): string | null {
  let nb: { cells?: Array<Record<string, unknown>> };
  try {
    nb = JSON.parse(text) as typeof nb;
  } catch {
    return null;
  }
  if (!Array.isArray(nb.cells)) return null;
  const found = input.cell_id === undefined ? -1 : nb.cells.findIndex((c) => c.id === input.cell_id);
  const mode = input.edit_mode ?? "replace";
  const source = (input.new_source ?? "").split(/(?<=\n)/);
  if (mode === "delete") {
    if (found === -1) return null;
    nb.cells.splice(found, 1);
  } else if (mode === "insert") {
    nb.cells.splice(found + 1, 0, { cell_type: input.cell_type ?? "code", metadata: {}, source, ...(input.cell_type === "markdown" ? {} : { outputs: [], execution_count: null }) });
  } else {
    const at = found === -1 ? 0 : found;
    if (!nb.cells[at]) return null;
    nb.cells[at] = { ...nb.cells[at], source, ...(input.cell_type ? { cell_type: input.cell_type } : {}) };
  }
  return `${JSON.stringify(nb, null, 1)}\n`;
}
