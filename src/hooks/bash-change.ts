import { resolve } from "node:path";
import picomatch from "picomatch";
import type { TreeEntry } from "../snapshot/file-source.js";
import { bashEffects, type PathArg } from "./bash-effects.js";
import { emptyChange, repoPathOf, type ChangeContext, type IntendedChange } from "./intended-change.js";
import type { InstallRequest } from "./package-install.js";

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The intended change of a Bash command: removals, moves and copies with the bytes they carry,
 * written files, and package installs as the manifest edit the package manager would make.
 */
export async function bashChange(ctx: ChangeContext, command: string): Promise<IntendedChange> {
  const change = emptyChange();
  const effects = bashEffects(command, ctx.cwd);
  if (effects.removes.length + effects.moves.length + effects.writes.length + effects.installs.length === 0) return change;
  const files = await ctx.files();
  const known = new Set(files.map((f) => f.path));
  // Later commands see earlier ones: `mv a b && rm b` ends with neither.
  const exists = (p: string) => (change.writes.has(p) ? change.writes.get(p) !== null : known.has(p));
  const read = async (p: string) => (change.writes.has(p) ? (change.writes.get(p) ?? null) : ctx.read(p));

  for (const arg of effects.removes) for (const p of expand(ctx, files, arg, exists)) change.writes.set(p, null);

  for (const move of effects.moves) {
    const target = repoPathOf(ctx, move.target.abs);
    const targetIsDir = move.sources.length > 1 || isDir(files, target, exists);
    for (const src of move.sources) {
      const srcPath = repoPathOf(ctx, src.abs);
      for (const from of expand(ctx, files, src, exists)) {
        const data = await read(from);
        if (data === null) continue;
        // A file keeps its path below the moved directory: `mv src/a lib/` puts src/a/x.ts at lib/a/x.ts.
        const below = srcPath !== null && !src.glob && from !== srcPath ? from.slice(srcPath.length + 1) : null;
        const name = from.slice(from.lastIndexOf("/") + 1);
        const dest = target === null ? null : below !== null ? joinRepo(targetIsDir ? joinRepo(target, lastSegment(srcPath!)) : target, below) : targetIsDir ? joinRepo(target, name) : target;
        if (!move.keep && dest !== from) change.writes.set(from, null);
        if (dest !== null) change.writes.set(dest, data);
      }
    }
  }

  for (const w of effects.writes) {
    const path = repoPathOf(ctx, w.path.abs);
    if (path === null || w.path.glob) continue;
    if (w.content === null) {
      change.touched.add(path);
      continue;
    }
    const before = w.append ? await read(path) : null;
    change.writes.set(path, utf8.encode((before ? decoder.decode(before) : "") + w.content));
  }

  for (const install of effects.installs) await addToManifest(ctx, change, install, read, exists);
  return change;
}

/** Files a path argument names: itself, everything below a directory, or what a glob matches. */
function expand(ctx: ChangeContext, files: readonly TreeEntry[], arg: PathArg, exists: (p: string) => boolean): string[] {
  if (arg.glob) {
    const pattern = repoPatternOf(ctx, arg.abs);
    if (pattern === null) return [];
    // `rm -r src/*` matches directories too: a file goes when it or any folder above it matches.
    const test = picomatch(pattern, { dot: false });
    return files.filter((f) => exists(f.path) && (test(f.path) || [...parents(f.path)].some((d) => test(d)))).map((f) => f.path);
  }
  const path = repoPathOf(ctx, arg.abs);
  if (path === null) return [];
  if (exists(path)) return [path];
  return files.map((f) => f.path).filter((p) => p.startsWith(`${path}/`) && exists(p));
}

function repoPatternOf(ctx: ChangeContext, abs: string): string | null {
  const root = ctx.root.endsWith("/") ? ctx.root : `${ctx.root}/`;
  return abs.startsWith(root) ? abs.slice(root.length) : null;
}

function* parents(path: string): Generator<string> {
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) yield path.slice(0, i);
}

function isDir(files: readonly TreeEntry[], path: string | null, exists: (p: string) => boolean): boolean {
  if (path === null) return false;
  return files.some((f) => f.path.startsWith(`${path}/`) && exists(f.path));
}

const joinRepo = (dir: string, rest: string): string => (dir === "" ? rest : `${dir}/${rest}`);
const lastSegment = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

/**
 * `npm install x` edits the nearest package.json (npm, pnpm, yarn and bun all walk up to it);
 * the overlay adds the package to the section the flags name, at the range typed (or `latest`).
 */
async function addToManifest(
  ctx: ChangeContext,
  change: IntendedChange,
  install: InstallRequest & { cwd: string },
  read: (p: string) => Promise<Uint8Array | null>,
  exists: (p: string) => boolean,
): Promise<void> {
  const start = repoPathOf(ctx, resolve(install.cwd, install.dir ?? "."));
  const from = start ?? (resolve(install.cwd, install.dir ?? ".") === ctx.root ? "" : null);
  if (from === null) return;
  let dir: string | null = from;
  let manifest: string | null = null;
  while (dir !== null) {
    const candidate = joinRepo(dir, "package.json");
    if (exists(candidate)) {
      manifest = candidate;
      break;
    }
    dir = dir === "" ? null : dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
  }
  manifest ??= joinRepo(from, "package.json");
  const current = await read(manifest);
  let json: Record<string, unknown>;
  try {
    json = current === null ? {} : (JSON.parse(decoder.decode(current)) as Record<string, unknown>);
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("not an object");
  } catch {
    // An unparsable manifest is already reported as such; the path still counts as changed.
    change.touched.add(manifest);
    return;
  }
  const section = json[install.section];
  const entries = typeof section === "object" && section !== null && !Array.isArray(section) ? Object.entries(section) : [];
  // fromEntries defines own properties, so a package named `__proto__` cannot reach the prototype.
  const added = Object.fromEntries([...entries.filter(([k]) => !install.packages.some((p) => p.name === k)), ...install.packages.map((p) => [p.name, p.version])]);
  const next = Object.fromEntries([...Object.entries(json).filter(([k]) => k !== install.section), [install.section, added]]);
  change.writes.set(manifest, utf8.encode(`${JSON.stringify(next, null, 2)}\n`));
}
