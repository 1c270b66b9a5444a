import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Refs of a bare repository read straight from its files (loose refs under `refs/`, then
 * `packed-refs`), as git itself resolves them, instead of a `git for-each-ref` or `git rev-parse`
 * process per question. The fake answers a ref question for nearly every check run it creates
 * (GitHub names the suite's branch); at the soak's 100 pushes a second, those spawns made the
 * fake, not the app, the busiest process on the machine. Loose refs are written by rename (git's
 * lock-file protocol, which the load generator follows too), so a read sees the old or the new
 * value, never half of one.
 */

const HEX = /^[0-9a-f]{40}$/;
/** Symbolic refs followed before giving up (git's own limit is 5). */
const MAX_SYMREF_DEPTH = 5;

/** A name safe to join onto the repository directory: `refs/…`, no `..`, no empty segment. */
function isRefPath(name: string): boolean {
  return name.startsWith("refs/") && !name.split("/").some((s) => s === "" || s === "." || s === "..") && !/[\0\\]/.test(name);
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR" || (e as NodeJS.ErrnoException).code === "EISDIR") return null;
    throw e;
  }
}

/** `packed-refs`: `<sha> <ref>` lines; `#` headers and `^<sha>` peel lines carry nothing needed here. */
async function packedRefs(gitDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const text = await readOrNull(join(gitDir, "packed-refs"));
  for (const line of text?.split("\n") ?? []) {
    if (line.startsWith("#") || line.startsWith("^") || line.length < 42) continue;
    const sha = line.slice(0, 40);
    if (HEX.test(sha) && line[40] === " ") out.set(line.slice(41), sha);
  }
  return out;
}

/** The object a ref names (not peeled), following symbolic refs; null when it does not exist. */
export async function readRef(gitDir: string, name: string, depth = 0): Promise<string | null> {
  if (!isRefPath(name) || depth > MAX_SYMREF_DEPTH) return null;
  const loose = await readOrNull(join(gitDir, name));
  if (loose !== null) {
    const value = loose.trim();
    if (HEX.test(value)) return value;
    return value.startsWith("ref: ") ? readRef(gitDir, value.slice(5).trim(), depth + 1) : null;
  }
  return (await packedRefs(gitDir)).get(name) ?? null;
}

/** Every ref under `prefix` (`refs/heads/x` lists `refs/heads/x/…`), sorted by name like `for-each-ref`. */
export async function listRefsUnder(gitDir: string, prefix: string): Promise<{ ref: string; sha: string }[]> {
  const found = new Map<string, string>();
  for (const [ref, sha] of await packedRefs(gitDir)) if (ref === prefix || ref.startsWith(`${prefix}/`)) found.set(ref, sha);
  const walk = async (dir: string): Promise<void> => {
    let names: import("node:fs").Dirent[];
    try {
      names = await readdir(join(gitDir, dir), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return;
      throw e;
    }
    for (const d of names) {
      const ref = `${dir}/${d.name}`;
      if (d.isDirectory()) await walk(ref);
      else if (d.isFile() && !d.name.endsWith(".lock")) {
        const sha = await readRef(gitDir, ref);
        if (sha !== null) found.set(ref, sha);
      }
    }
  };
  if (isRefPath(`${prefix}/x`)) await walk(prefix);
  return [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ref, sha]) => ({ ref, sha }));
}
