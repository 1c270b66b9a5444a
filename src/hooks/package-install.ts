import { splitNameAt } from "../core/package-spec.js";

/** A package a command asks a package manager to add, with the range it would be saved at. */
export interface PackageRequest {
  readonly name: string;
  /** As typed after `@`; `latest` when nothing was (semver cannot compare it, like npm's dist-tag). */
  readonly version: string;
}

export type ManifestSection = "dependencies" | "devDependencies" | "optionalDependencies" | "peerDependencies";

export interface InstallRequest {
  readonly manager: "npm" | "pnpm" | "yarn" | "bun";
  /** Directory the manager was pointed at (`--prefix`, `-C`, `--cwd`, `--dir`), relative to the command's cwd. */
  readonly dir: string | null;
  readonly section: ManifestSection;
  readonly packages: readonly PackageRequest[];
}

interface ManagerRules {
  /** Subcommands that add packages when given names. */
  readonly adds: readonly string[];
  /** Options whose value is the next word (so that word is not a package). */
  readonly valued: readonly string[];
  /** Options that name the project directory. */
  readonly dirOptions: readonly string[];
  readonly sections: Readonly<Record<string, ManifestSection>>;
}

const NPM_INSTALL = ["install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add"];

/** Aliases and options from each manager's CLI reference; anything else is passed over. */
const MANAGERS: Readonly<Record<InstallRequest["manager"], ManagerRules>> = {
  npm: {
    adds: NPM_INSTALL,
    valued: ["--prefix", "-C", "--workspace", "-w", "--registry", "--tag", "--omit", "--include", "--save-prefix", "--cache", "--userconfig", "--loglevel", "--install-strategy"],
    dirOptions: ["--prefix", "-C"],
    sections: { "-D": "devDependencies", "--save-dev": "devDependencies", "-O": "optionalDependencies", "--save-optional": "optionalDependencies", "--save-peer": "peerDependencies" },
  },
  pnpm: {
    adds: ["add", "install", "i"],
    valued: ["--filter", "-F", "--dir", "-C", "--registry", "--reporter", "--config"],
    dirOptions: ["--dir", "-C"],
    sections: { "-D": "devDependencies", "--save-dev": "devDependencies", "-O": "optionalDependencies", "--save-optional": "optionalDependencies", "--save-peer": "peerDependencies" },
  },
  yarn: {
    adds: ["add"],
    valued: ["--cwd", "--registry", "--network-timeout"],
    dirOptions: ["--cwd"],
    sections: { "-D": "devDependencies", "--dev": "devDependencies", "-O": "optionalDependencies", "--optional": "optionalDependencies", "-P": "peerDependencies", "--peer": "peerDependencies" },
  },
  bun: {
    adds: ["add", "install", "i", "a"],
    valued: ["--cwd", "--registry", "--backend", "--cache-dir", "-c", "--config"],
    dirOptions: ["--cwd"],
    sections: { "-d": "devDependencies", "-D": "devDependencies", "--dev": "devDependencies", "--development": "devDependencies", "--optional": "optionalDependencies", "--peer": "peerDependencies" },
  },
};

const GLOBAL = new Set(["-g", "--global", "--location=global"]);

/**
 * The packages a package-manager command line would add to a manifest, or null when it adds none
 * (another subcommand, a global install, a bare `npm install`). `words` start at the manager name.
 */
export function parseInstall(words: readonly string[]): InstallRequest | null {
  const manager = words[0] as InstallRequest["manager"];
  const rules = MANAGERS[manager];
  if (!rules) return null;
  let args = words.slice(1);
  // `yarn workspace <name> add x` and `yarn global add x`: the former adds to a workspace, the latter is not the repository's.
  if (manager === "yarn" && args[0] === "global") return null;
  if (manager === "yarn" && args[0] === "workspace") args = args.slice(2);
  let section: ManifestSection = "dependencies";
  let dir: string | null = null;
  let sub: string | null = null;
  const specs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (GLOBAL.has(a)) return null;
    if (a === "--") {
      specs.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("-")) {
      const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, null];
      if (rules.sections[flag]) section = rules.sections[flag]!;
      if (rules.valued.includes(flag)) {
        const value = inline ?? args[++i] ?? null;
        if (rules.dirOptions.includes(flag)) dir = value;
      }
      continue;
    }
    if (sub === null) sub = a;
    else specs.push(a);
  }
  if (sub === null || !rules.adds.includes(sub)) return null;
  const packages = specs.map(packageOf).filter((p): p is PackageRequest => p !== null);
  return packages.length > 0 ? { manager, dir, section, packages } : null;
}

/** A registry spec as a package name + range; null for paths, URLs, git remotes and tarballs (no name to judge). */
export function packageOf(spec: string): PackageRequest | null {
  if (/^(\.{0,2}\/|~|file:|link:|https?:|git[+:]|github:|gitlab:|bitbucket:|gist:)/.test(spec) || /\.t(ar\.)?gz$/.test(spec)) return null;
  const { name, rest } = splitNameAt(spec);
  // `user/repo` is a GitHub shorthand, not a package name.
  if (name === "" || (!name.startsWith("@") && name.includes("/"))) return null;
  if (!/^(@[a-z0-9._~-]+\/)?[a-z0-9._~-]+$/i.test(name)) return null;
  return { name, version: rest === null || rest === "" ? "latest" : rest };
}
