import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { runGit } from "../snapshot/run-git.js";

/** The hooks Plumbline manages, and what each one runs (`plumbline hooks run <name>`). */
export const MANAGED_HOOKS = ["pre-commit", "prepare-commit-msg", "pre-push"] as const;
export type ManagedHook = (typeof MANAGED_HOOKS)[number];

/** First-line marker: a file carrying it is ours to rewrite or remove, anything else is not. */
const MARKER = "# plumbline-managed-hook v1";
/** A hook that was there before ours keeps running, under this suffix, before Plumbline's check. */
export const CHAINED_SUFFIX = ".plumbline-chained";

export type HookAction = "installed" | "updated" | "unchanged" | "chained" | "removed" | "restored" | "absent" | "foreign";

export interface HookReport {
  readonly hook: ManagedHook;
  readonly path: string;
  readonly action: HookAction;
}

/** Where git looks for hooks: honours `core.hooksPath` and linked worktrees. */
export async function hooksDir(root: string): Promise<string> {
  const dir = (await runGit(root, ["rev-parse", "--git-path", "hooks"])).toString("utf8").trim();
  return isAbsolute(dir) ? dir : join(root, dir);
}

/**
 * Writes the three hooks; idempotent. Re-running rewrites only our own files (so an upgraded
 * launcher path lands) and never wraps a hook twice. A foreign hook is moved aside and chained,
 * never overwritten; if both a foreign hook and an older chained one exist, it stops and says so.
 */
export async function ensureGitHooks(root: string, launcher: Launcher): Promise<HookReport[]> {
  const dir = await hooksDir(root);
  await mkdir(dir, { recursive: true });
  const reports: HookReport[] = [];
  for (const hook of MANAGED_HOOKS) {
    const path = join(dir, hook);
    const script = renderHookScript(hook, launcher);
    const current = await readOrNull(path);
    let action: HookAction;
    if (current === null) action = "installed";
    else if (isOurs(current)) action = current === script ? "unchanged" : "updated";
    else {
      if ((await readOrNull(path + CHAINED_SUFFIX)) !== null) {
        throw new Error(`${path} is not Plumbline's, and ${path}${CHAINED_SUFFIX} already exists; merge them by hand, then run \`plumbline hooks install\` again`);
      }
      await rename(path, path + CHAINED_SUFFIX);
      action = "chained";
    }
    if (action !== "unchanged") await writeFile(path, script, { mode: 0o755 });
    await chmod(path, 0o755);
    reports.push({ hook, path, action });
  }
  return reports;
}

/** Removes our hooks and puts back any hook they chained. Foreign hooks are left alone. */
export async function removeGitHooks(root: string): Promise<HookReport[]> {
  const dir = await hooksDir(root);
  const reports: HookReport[] = [];
  for (const hook of MANAGED_HOOKS) {
    const path = join(dir, hook);
    const current = await readOrNull(path);
    if (current === null || !isOurs(current)) {
      reports.push({ hook, path, action: current === null ? "absent" : "foreign" });
      continue;
    }
    await rm(path);
    if (await exists(path + CHAINED_SUFFIX)) {
      await rename(path + CHAINED_SUFFIX, path);
      reports.push({ hook, path, action: "restored" });
    } else reports.push({ hook, path, action: "removed" });
  }
  return reports;
}

/** How a hook script starts Plumbline: this very installation, with `plumbline` on PATH as a fallback. */
export interface Launcher {
  readonly node: string;
  readonly bin: string;
}

export function renderHookScript(hook: ManagedHook, launcher: Launcher): string {
  // pre-push reads the pushed refs on stdin; both the chained hook and Plumbline need them.
  const stdin = hook === "pre-push";
  return [
    "#!/bin/sh",
    MARKER,
    `# Written by \`plumbline hooks install\`; \`plumbline hooks uninstall\` removes it. A ${hook} hook`,
    `# that was here before is kept as ${hook}${CHAINED_SUFFIX} and runs first.`,
    `chained="$(dirname "$0")/${hook}${CHAINED_SUFFIX}"`,
    `plumbline_bin=${shellQuote(launcher.bin)}`,
    `node_bin=$(command -v node || echo ${shellQuote(launcher.node)})`,
    ...(stdin ? ['input=$(cat; echo x)', 'input=${input%x}'] : []),
    'if [ -x "$chained" ]; then',
    stdin ? '  printf %s "$input" | "$chained" "$@" || exit $?' : '  "$chained" "$@" || exit $?',
    "fi",
    'if [ -f "$plumbline_bin" ]; then',
    stdin ? `  printf %s "$input" | "$node_bin" "$plumbline_bin" hooks run ${hook} "$@"` : `  exec "$node_bin" "$plumbline_bin" hooks run ${hook} "$@"`,
    ...(stdin ? ["  exit $?"] : []),
    "elif command -v plumbline >/dev/null 2>&1; then",
    stdin ? `  printf %s "$input" | plumbline hooks run ${hook} "$@"` : `  exec plumbline hooks run ${hook} "$@"`,
    ...(stdin ? ["  exit $?"] : []),
    "fi",
    `echo "plumbline: cannot run the ${hook} check: $plumbline_bin is gone and plumbline is not on PATH; run \\\`plumbline hooks install\\\` again" >&2`,
    "exit 1",
    "",
  ].join("\n");
}

const isOurs = (text: string): boolean => text.split("\n", 3).includes(MARKER);

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
