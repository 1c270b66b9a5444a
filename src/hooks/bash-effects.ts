import { isAbsolute, resolve } from "node:path";
import { parseInstall, type InstallRequest } from "./package-install.js";
import { parseShell, type ShellWord, type SimpleCommand } from "./shell-words.js";

/** A path argument resolved against the directory the shell would be in. */
export interface PathArg {
  readonly abs: string;
  /** The shell would expand it (`src/*.ts`): match it against the tree instead of reading it. */
  readonly glob: boolean;
}

export interface BashEffects {
  readonly removes: PathArg[];
  /** `mv`/`git mv` (keep false) and `cp` (keep true): sources into a target file or directory. */
  readonly moves: Array<{ readonly sources: PathArg[]; readonly target: PathArg; readonly keep: boolean }>;
  /** Redirections, `tee`, `sed -i`, `touch`: null content when only the path is known. */
  readonly writes: Array<{ readonly path: PathArg; readonly content: string | null; readonly append: boolean }>;
  readonly installs: Array<InstallRequest & { readonly cwd: string }>;
}

/** Words that only wrap the command that follows them. */
const PREFIXES = new Set(["sudo", "env", "command", "builtin", "exec", "nohup", "time", "nice", "then", "do", "else", "elif", "if", "while", "until", "!", "{", "}"]);
const WRITE_OPS = new Set([">", ">>", ">|", "&>", "&>>", "<>"]);
/** Options whose value is the next word, per command (so the value is not taken for a path). */
const VALUED: Readonly<Record<string, readonly string[]>> = {
  mv: ["-t", "--target-directory", "-S", "--suffix"],
  cp: ["-t", "--target-directory", "-S", "--suffix"],
  "git mv": [],
  sed: ["-e", "--expression", "-f", "--file", "-l", "--line-length"],
  perl: ["-e", "-E", "-M", "-I"],
};

/**
 * What a Bash command line would do to files, as far as it can be read without running it:
 * `rm`, `mv`, `cp`, `git rm`/`git mv`, redirections, `tee`, `sed -i`, `touch`, package-manager
 * installs, `cd` between them and `bash -c '…'` bodies. Anything else (or any argument the
 * shell would compute) is left out; the pre-commit hook and the server judge the result anyway.
 */
export function bashEffects(command: string, cwd: string): BashEffects {
  const effects: BashEffects = { removes: [], moves: [], writes: [], installs: [] };
  collect(parseShell(command), cwd, effects, 0);
  return effects;
}

function collect(commands: readonly SimpleCommand[], startCwd: string, out: BashEffects, depth: number): void {
  let cwd: string | null = startCwd;
  for (const cmd of commands) {
    for (const r of cmd.redirects) {
      if (!WRITE_OPS.has(r.op) || cwd === null) continue;
      const path = pathArg(r.target, cwd);
      if (path && !path.abs.startsWith("/dev/")) out.writes.push({ path, content: redirectedContent(cmd), append: r.op.endsWith(">>") });
    }
    const words = stripPrefixes(cmd.words);
    if (words.length === 0) continue;
    const [head, ...rest] = words.map((w) => w.text);
    if (head === "cd" || head === "pushd") {
      const to = words[1];
      cwd = to === undefined || !to.literal || to.glob || to.text === "-" ? null : resolve(cwd ?? startCwd, to.text);
      continue;
    }
    if (cwd === null) continue; // after `cd $DIR` nothing relative can be placed
    if ((head === "bash" || head === "sh" || head === "zsh") && rest[0] === "-c" && words[2]?.literal && depth < 3) {
      collect(parseShell(words[2].text), cwd, out, depth + 1);
      continue;
    }
    const git = head === "git" ? words.slice(1) : null;
    const args = git ? (git[0]?.text === "rm" || git[0]?.text === "mv" ? git.slice(1) : null) : words.slice(1);
    const verb = git ? `git ${git[0]?.text ?? ""}` : head!;
    if (args === null) continue;
    const operands = operandsOf(args, VALUED[verb] ?? []);
    const paths = (ws: readonly ShellWord[]) => ws.map((w) => pathArg(w, cwd!)).filter((p): p is PathArg => p !== null);
    switch (verb) {
      case "rm":
      case "unlink":
      case "rmdir":
      case "git rm":
        out.removes.push(...paths(operands.words));
        break;
      case "mv":
      case "git mv":
      case "cp": {
        const targetWord = operands.target ?? operands.words[operands.words.length - 1];
        const sources = operands.target ? operands.words : operands.words.slice(0, -1);
        const target = targetWord ? pathArg(targetWord, cwd) : null;
        if (target && sources.length > 0) out.moves.push({ sources: paths(sources), target, keep: verb === "cp" });
        break;
      }
      case "tee":
        for (const path of paths(operands.words)) out.writes.push({ path, content: cmd.heredoc, append: args.some((a) => a.text === "-a" || a.text === "--append") });
        break;
      case "touch":
        for (const path of paths(operands.words)) out.writes.push({ path, content: null, append: true });
        break;
      case "sed":
      case "perl":
        if (args.some((a) => /^-[A-Za-z]*i/.test(a.text) || a.text.startsWith("--in-place"))) {
          // The first operand is the script unless one came with -e; either way the files follow it.
          const files = operands.hadScriptOption ? operands.words : operands.words.slice(1);
          for (const path of paths(files)) out.writes.push({ path, content: null, append: false });
        }
        break;
      default: {
        if (!words.every((w) => w.literal)) break;
        const install = parseInstall(words.map((w) => w.text));
        if (install) out.installs.push({ ...install, cwd });
      }
    }
  }
}

/** Drops `VAR=value` assignments and wrappers such as `sudo` or `env -i` in front of a command. */
function stripPrefixes(words: readonly ShellWord[]): ShellWord[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!.text;
    if (PREFIXES.has(w) || /^[A-Za-z_]\w*=/.test(w) || (i > 0 && PREFIXES.has(words[i - 1]!.text) && w.startsWith("-"))) i++;
    else break;
  }
  return words.slice(i);
}

/** Operands after option parsing; `target` is a `-t DIR` given as an option. */
function operandsOf(args: readonly ShellWord[], valued: readonly string[]): { words: ShellWord[]; target: ShellWord | null; hadScriptOption: boolean } {
  const words: ShellWord[] = [];
  let target: ShellWord | null = null;
  let hadScriptOption = false;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (options && a.text === "--") options = false;
    else if (options && a.text.startsWith("-") && a.text !== "-") {
      const flag = a.text.includes("=") ? a.text.slice(0, a.text.indexOf("=")) : a.text;
      if (flag === "-e" || flag === "-E" || flag === "--expression" || flag === "-f" || flag === "--file") hadScriptOption = true;
      if (flag === "--target-directory" && a.text.includes("=")) target = { ...a, text: a.text.slice(a.text.indexOf("=") + 1) };
      else if (valued.includes(flag) && !a.text.includes("=")) {
        const value = args[++i];
        if ((flag === "-t" || flag === "--target-directory") && value) target = value;
      }
    } else words.push(a);
  }
  return { words, target, hadScriptOption };
}

function pathArg(w: ShellWord, cwd: string): PathArg | null {
  if (!w.literal || w.text === "") return null;
  return { abs: isAbsolute(w.text) ? resolve(w.text) : resolve(cwd, w.text), glob: w.glob };
}

/** What a redirection writes when the command makes it plain: `cat <<EOF`, `echo literal words`. */
function redirectedContent(cmd: SimpleCommand): string | null {
  const words = stripPrefixes(cmd.words);
  const head = words[0]?.text;
  if (head === "cat" && words.length === 1 && cmd.heredoc !== null) return cmd.heredoc;
  if (head === "echo" && words.slice(1).every((w) => w.literal && !w.glob) && !words.slice(1).some((w) => /^-[neE]+$/.test(w.text))) {
    return `${words.slice(1).map((w) => w.text).join(" ")}\n`;
  }
  return null;
}
