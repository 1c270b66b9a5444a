/**
 * Just enough of the POSIX shell grammar to see what a Bash tool call will touch: words with
 * quote removal, command separators, redirections and here-documents. It never evaluates
 * anything; a word whose value only the shell could know (`$x`, `$(…)`, backticks, `~`) is
 * marked non-literal so callers ignore it rather than guess.
 */

export interface ShellWord {
  /** The word after quote removal. */
  readonly text: string;
  /** False when the shell would substitute something into it: its value is unknown here. */
  readonly literal: boolean;
  /** Unquoted `*`, `?`, `[` or `{`: the shell would expand it against the file system. */
  readonly glob: boolean;
}

export interface Redirect {
  readonly op: string;
  readonly target: ShellWord;
}

export interface SimpleCommand {
  readonly words: ShellWord[];
  readonly redirects: Redirect[];
  /** Body of the command's here-document, when it has one. */
  heredoc: string | null;
}

const REDIRECT_OPS = ["&>>", "&>", "<<<", "<<-", "<<", ">>", ">|", ">&", "<&", "<>", ">", "<"];
const SEPARATORS = ["&&", "||", ";;", "|&", ";", "|", "&", "(", ")"];
const WORD_END = new Set([" ", "\t", "\n", ";", "&", "|", "(", ")", "<", ">"]);

export function parseShell(src: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  const pending: Array<{ command: SimpleCommand; delimiter: string; stripTabs: boolean }> = [];
  let current: SimpleCommand = { words: [], redirects: [], heredoc: null };
  let i = 0;
  const finish = () => {
    if (current.words.length > 0 || current.redirects.length > 0) commands.push(current);
    current = { words: [], redirects: [], heredoc: null };
  };

  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
    } else if (c === "\n") {
      finish();
      i = readHeredocBodies(src, i + 1, pending);
    } else if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else {
      const fd = /^\d+(?=[<>])/.exec(src.slice(i, i + 12));
      const at = fd ? i + fd[0].length : i;
      const redirect = REDIRECT_OPS.find((op) => src.startsWith(op, at));
      if (redirect) {
        i = at + redirect.length;
        while (src[i] === " " || src[i] === "\t") i++;
        const [target, next] = readWord(src, i);
        i = next;
        if (redirect === "<<" || redirect === "<<-") pending.push({ command: current, delimiter: target.text, stripTabs: redirect === "<<-" });
        else current.redirects.push({ op: redirect, target });
        continue;
      }
      const sep = SEPARATORS.find((op) => src.startsWith(op, i));
      if (sep) {
        finish();
        i += sep.length;
        continue;
      }
      const [word, next] = readWord(src, i);
      current.words.push(word);
      i = next;
    }
  }
  finish();
  return commands;
}

/** After a newline: each pending here-document's lines up to its delimiter line. */
function readHeredocBodies(src: string, start: number, pending: Array<{ command: SimpleCommand; delimiter: string; stripTabs: boolean }>): number {
  let i = start;
  while (pending.length > 0) {
    const { command, delimiter, stripTabs } = pending.shift()!;
    const lines: string[] = [];
    while (i < src.length) {
      const end = src.indexOf("\n", i);
      const raw = src.slice(i, end === -1 ? src.length : end);
      i = end === -1 ? src.length : end + 1;
      const line = stripTabs ? raw.replace(/^\t+/, "") : raw;
      if (line === delimiter) break;
      lines.push(line);
    }
    command.heredoc = lines.length > 0 ? `${lines.join("\n")}\n` : "";
  }
  return i;
}

/** One word from `i`: quotes removed, substitutions skipped over and flagged. */
function readWord(src: string, start: number): [ShellWord, number] {
  let i = start;
  let text = "";
  let literal = true;
  let glob = false;
  if (src[i] === "~") literal = false;
  while (i < src.length && !WORD_END.has(src[i]!)) {
    const c = src[i]!;
    if (c === "\\") {
      if (src[i + 1] !== "\n") text += src[i + 1] ?? "";
      i += 2;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      text += src.slice(i + 1, end === -1 ? src.length : end);
      i = end === -1 ? src.length : end + 1;
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === "\\" && '"\\$`\n'.includes(src[i + 1] ?? "")) {
          if (src[i + 1] !== "\n") text += src[i + 1];
          i += 2;
        } else if (src[i] === "$" || src[i] === "`") {
          literal = false;
          i = skipSubstitution(src, i);
        } else text += src[i++];
      }
      i++;
    } else if (c === "$" || c === "`") {
      literal = false;
      i = skipSubstitution(src, i);
    } else {
      if (c === "*" || c === "?" || c === "[" || c === "{") glob = true;
      text += c;
      i++;
    }
  }
  return [{ text, literal, glob }, i];
}

/** Index just past a `$name`, `${…}`, `$(…)`, `$'…'` or backtick substitution starting at `i`. */
function skipSubstitution(src: string, i: number): number {
  if (src[i] === "`") {
    const end = src.indexOf("`", i + 1);
    return end === -1 ? src.length : end + 1;
  }
  const next = src[i + 1];
  if (next === "(" || next === "{") return skipBalanced(src, i + 1, next, next === "(" ? ")" : "}");
  if (next === "'") {
    const end = src.indexOf("'", i + 2);
    return end === -1 ? src.length : end + 1;
  }
  let j = i + 1;
  if (j < src.length && /[@*#?$!0-9-]/.test(src[j]!)) return j + 1;
  while (j < src.length && /\w/.test(src[j]!)) j++;
  return j;
}

function skipBalanced(src: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") i++;
    else if (c === "'") i = src.indexOf("'", i + 1) === -1 ? src.length : src.indexOf("'", i + 1);
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  return src.length;
}
