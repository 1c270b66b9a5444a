import { resolve } from "node:path";
import { applyPatch, parsePatch, type StructuredPatch } from "diff";
import { emptyChange, repoPathOf, type ChangeContext, type IntendedChange } from "../hooks/intended-change.js";

/** A diff that cannot be applied: the caller answers with this message instead of judging a guess. */
export class DiffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DiffError";
  }
}

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Applies a unified diff (plain `diff -u` or `git diff`, several files, creations, deletions,
 * renames) to the working tree in memory. Hunks must apply exactly, as `git apply` would want:
 * a diff made against other contents is refused with the file named, not applied fuzzily.
 */
export async function diffChange(ctx: ChangeContext, diff: string, into: IntendedChange = emptyChange()): Promise<IntendedChange> {
  let patches: StructuredPatch[];
  try {
    patches = parsePatch(diff);
  } catch (err) {
    throw new DiffError(`the diff could not be parsed (${(err as Error).message})`);
  }
  patches = patches.filter((p) => p.hunks.length > 0 || p.isRename || p.isCopy || p.isCreate || p.isDelete || p.isBinary);
  if (patches.length === 0) throw new DiffError("the diff names no file (expected `--- a/path` / `+++ b/path` headers and `@@` hunks)");

  const current = async (path: string): Promise<Uint8Array | null> => (into.writes.has(path) ? (into.writes.get(path) ?? null) : ctx.read(path));
  for (const p of patches) {
    const from = nameOf(ctx, p.oldFileName, "a/", p);
    const to = nameOf(ctx, p.newFileName, "b/", p);
    const shown = to ?? from ?? "(unnamed file)";
    if (p.isBinary) throw new DiffError(`${shown}: binary patches carry no content to apply; send the new bytes through \`changes\` instead`);
    if (from === null && to === null) throw new DiffError("a patch names neither an old nor a new file");
    const before = from === null ? null : await current(from);
    if (from !== null && before === null) throw new DiffError(`${from}: the diff modifies a file that does not exist in the working tree`);
    if (from === null && to !== null && (await current(to)) !== null) throw new DiffError(`${to}: the diff creates a file that already exists`);
    const text = before === null ? "" : decoder.decode(before);
    const after = p.hunks.length === 0 ? text : applyPatch(text, p);
    if (after === false) throw new DiffError(`${shown}: a hunk does not apply to the working tree's version of the file (regenerate the diff against it)`);
    if (from !== null && (to === null || (to !== from && !p.isCopy))) into.writes.set(from, null);
    if (to !== null) into.writes.set(to, utf8.encode(after));
  }
  return into;
}

/** Repository path of a diff header name; null for `/dev/null`. `a/`/`b/` are git's prefixes, stripped when present. */
function nameOf(ctx: ChangeContext, raw: string | undefined, prefix: string, p: StructuredPatch): string | null {
  if (raw === undefined || raw === "/dev/null") return null;
  const name = raw.startsWith(prefix) && (p.isGit || bothPrefixed(p)) ? raw.slice(prefix.length) : raw;
  const path = repoPathOf(ctx, resolve(ctx.root, name));
  if (path === null) throw new DiffError(`${raw}: the diff names a path outside the repository`);
  return path;
}

function bothPrefixed(p: StructuredPatch): boolean {
  const ok = (n: string | undefined, pre: string) => n === undefined || n === "/dev/null" || n.startsWith(pre);
  return ok(p.oldFileName, "a/") && ok(p.newFileName, "b/");
}
