/**
 * The tokenizer under scan-module.ts: walks TypeScript (and JSX) source the way a parser's
 * lexer would, skipping strings, templates, comments, regular expressions and JSX text, and
 * tracking bracket depth, so that the module scanner sees each real `import`/`export` keyword
 * with its context. It understands well-formed code only and throws BAIL (via bail()) on
 * anything it cannot place; the caller then parses the file with oxc.
 */

export const BAIL = Symbol("bail");
export function bail(): never {
  throw BAIL;
}

/** Keywords after which `/` starts a regular expression and `<` a JSX element, by length. */
const EXPRESSION_KEYWORDS: readonly (readonly string[])[] = [[], [], ["in", "of", "do"], ["new"], ["void", "case", "else"], ["throw", "yield", "await"], ["return", "typeof", "delete"], ["default", "extends"], [], [], ["instanceof"]];

/** The expression keyword spelled by the word at `start` (`len` long), or "". Compares in place: no slice per word. */
function expressionKeywordAt(t: string, start: number, len: number): string {
  const words = EXPRESSION_KEYWORDS[len];
  if (words === undefined) return "";
  for (const w of words) if (t.startsWith(w, start)) return w;
  return "";
}

/**
 * The previous token, as far as telling `/` (divide or regex) and `<` (less-than or JSX) apart
 * and placing `import(` needs: its kind, and for a punctuator its code. Numbers, not strings, so
 * the per-token loop compares integers.
 */
export const PREV_NONE = 0;
/** An identifier that is no keyword (a member name, a binding name). */
export const PREV_ID = 1;
/** A word that may be a keyword (`return`, `typeof`…): read off the text only when it matters. */
export const PREV_WORD = 2;
/** A string, number, template, regex or JSX element: an expression just ended. */
export const PREV_VALUE = 3;
export const PREV_PUNCT = 4;
/** Punctuator codes beyond single characters (which are their char code). */
export const ARROW = 256;
const OPTIONAL_CHAIN = 257;
const SPREAD = 258;
const PREFIX = 259;
/** `x++` or `x--`: an expression ended (`a++ / b` divides). */
const POSTFIX_UPDATE = 260;
const POSTFIX_NON_NULL = 261;

/** A token of the header of an import or export statement. */
export interface Tok {
  readonly kind: "id" | "str" | "punct" | "other";
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const isIdStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
const isIdPart = (c: number) => isIdStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
/** The end of an identifier whose first character is before `pos`; an escape (`\\u…`) bails. */
function identEnd(t: string, pos: number): number {
  while (pos < t.length && isIdPart(t.charCodeAt(pos))) pos++;
  if (pos < t.length && t.charCodeAt(pos) === 92) bail();
  return pos;
}

/** The end of the numeric literal at `pos`: `1_000n`, `0x1F`, `.5`, `1.5e-3` (`0x1e-3` is two tokens). */
function numberEnd(t: string, pos: number): number {
  const start = pos;
  while (pos < t.length) {
    const c = t.charCodeAt(pos);
    const exponentSign = (c === 43 || c === 45) && (t[pos - 1] === "e" || t[pos - 1] === "E") && !/^0[a-zA-Z]/.test(t.slice(start, start + 2));
    if (isIdPart(c) || c === 46 || exponentSign) pos++;
    else return pos;
  }
  return pos;
}

/** The end of the string literal whose opening `quote` is at `pos`; unterminated bails. */
function stringEnd(t: string, pos: number, quote: number): number {
  pos++;
  while (pos < t.length) {
    const c = t.charCodeAt(pos);
    if (c === quote) return pos + 1;
    pos += c === 92 ? 2 : 1;
  }
  bail();
}

/** Whether the previous token leaves the parser expecting an expression (so `/` is a regex, `<` a tag). */
function startsExpression(t: string, kind: number, punct: number, wordStart: number, wordEnd: number): boolean {
  switch (kind) {
    case PREV_NONE:
      return true;
    case PREV_WORD:
      return expressionKeywordAt(t, wordStart, wordEnd - wordStart) !== "";
    case PREV_PUNCT:
      return !(punct === 41 || punct === 93 || punct === 125 || punct === POSTFIX_UPDATE || punct === POSTFIX_NON_NULL);
    default:
      return false;
  }
}

const UNICODE_SPACE = /[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

export abstract class CodeScanner {
  protected pos = 0;
  protected readonly comments: { start: number; end: number }[] = [];
  /** The previous token (PREV_*), its punctuator code, and where a PREV_WORD stands. */
  protected prevKind = PREV_NONE;
  protected prevPunct = 0;
  protected prevWordStart = 0;
  protected prevWordEnd = 0;
  /** After `export const x`: a second declarator at depth 0 would be a second export name. */
  protected watchDeclarators = false;

  constructor(
    protected readonly text: string,
    private readonly jsx: boolean,
  ) {}

  /** An `import` or `export` keyword that is not a property name; `topLevel`: at module level. */
  protected abstract keyword(word: "import" | "export", start: number, topLevel: boolean, stack: number[], checkAfter: Set<number>): void;
  /** The `)` of a call registered in `checkAfter` was just passed. */
  protected abstract onlyPromiseChain(): void;

  // ---- code ----

  /**
   * Scans code until EOF or, with `untilBrace`, the `}` that closes the `${` or `{` the caller
   * opened. `level` counts enclosing templates and JSX expressions: only level 0, bracket depth 0
   * is module level, where import and export declarations stand.
   *
   * This loop runs once per token of every file, and a cold `plumbline check` runs much of it in
   * V8's interpreter, so it keeps the position and the previous token in local numbers, steps
   * over spaces, words, numbers, strings and punctuators inline, and looks a word up as a keyword
   * only when the next token needs to know. (1k-file benchmark, first pass in a fresh process,
   * medians of 5: the whole record scan 213 → 173 ms, this loop alone 148 → ~100 ms, against a
   * method and a string compare per token.) The fields are written back before anything that
   * reads them is called.
   */
  protected code(untilBrace: boolean, level: number): void {
    const t = this.text;
    const n = t.length;
    const stack: number[] = [];
    /** Index into `stack` of a call `import(` reached through `=>` (it may be a function type's return). */
    const checkAfter = new Set<number>();
    let pos = this.pos;
    let kind = this.prevKind;
    let punct = this.prevPunct;
    let wordStart = this.prevWordStart;
    let wordEnd = this.prevWordEnd;
    while (true) {
      // Reads are guarded: reading past the end would cost V8's optimised code a deoptimisation.
      let c = pos < n ? t.charCodeAt(pos) : -1;
      while (c === 32 || (c >= 9 && c <= 13)) c = ++pos < n ? t.charCodeAt(pos) : -1;
      if (c === 47 || c > 127) {
        // A comment or a Unicode space, maybe (`/` may also divide or start a regex).
        this.pos = pos;
        this.trivia();
        pos = this.pos;
        c = pos < n ? t.charCodeAt(pos) : -1;
      }
      if (c === -1) {
        if (untilBrace || stack.length > 0) bail();
        this.pos = pos;
        this.setPrev(kind, punct, wordStart, wordEnd);
        return;
      }
      const start = pos;
      if (isIdStart(c)) {
        pos = identEnd(t, pos + 1);
        if (c > 127 && UNICODE_SPACE.test(t.slice(start, pos))) bail();
        if (kind === PREV_PUNCT && (punct === 46 || punct === OPTIONAL_CHAIN)) {
          kind = PREV_ID; // a member name: `x.import`, `y.return`
          continue;
        }
        if (pos - start === 6 && (t.startsWith("import", start) || t.startsWith("export", start))) {
          this.pos = pos;
          this.setPrev(kind, punct, wordStart, wordEnd);
          this.keyword(c === 105 ? "import" : "export", start, level === 0 && stack.length === 0, stack, checkAfter);
          pos = this.pos;
          kind = this.prevKind;
          punct = this.prevPunct;
          wordStart = this.prevWordStart;
          wordEnd = this.prevWordEnd;
          continue;
        }
        kind = PREV_WORD;
        wordStart = start;
        wordEnd = pos;
        continue;
      }
      if (isDigit(c) || (c === 46 && pos + 1 < n && isDigit(t.charCodeAt(pos + 1)))) {
        pos = numberEnd(t, pos);
        kind = PREV_VALUE;
        continue;
      }
      switch (c) {
        case 34: // "
        case 39: // '
          pos = stringEnd(t, pos, c);
          kind = PREV_VALUE;
          continue;
        case 96: // `
          this.pos = pos;
          this.template(level);
          pos = this.pos;
          kind = PREV_VALUE;
          continue;
        case 40: // (
        case 91: // [
        case 123: // {
          pos++;
          stack.push(c);
          kind = PREV_PUNCT;
          punct = c;
          continue;
        case 41: // )
        case 93: // ]
        case 125: {
          // }
          const open = stack.pop();
          if (open === undefined) {
            if (c === 125 && untilBrace) {
              this.pos = pos + 1;
              this.setPrev(kind, punct, wordStart, wordEnd);
              return;
            }
            bail();
          }
          if ((c === 41 && open !== 40) || (c === 93 && open !== 91) || (c === 125 && open !== 123)) bail();
          pos++;
          kind = PREV_PUNCT;
          punct = c;
          if (checkAfter.size > 0 && checkAfter.delete(stack.length)) {
            this.pos = pos;
            this.setPrev(kind, punct, wordStart, wordEnd);
            this.onlyPromiseChain();
          }
          continue;
        }
        case 47: // / (not a comment: trivia took those)
          if (startsExpression(t, kind, punct, wordStart, wordEnd)) {
            this.pos = pos;
            this.regex();
            pos = this.pos;
            kind = PREV_VALUE;
          } else {
            pos++;
            kind = PREV_PUNCT;
            punct = c;
          }
          continue;
        case 60: // <
          if (this.jsx && startsExpression(t, kind, punct, wordStart, wordEnd)) {
            this.pos = pos;
            this.jsxElement(level);
            pos = this.pos;
            kind = PREV_VALUE;
          } else {
            pos++;
            kind = PREV_PUNCT;
            punct = c;
          }
          continue;
        case 35: // #private
          if (!(pos + 1 < n && isIdStart(t.charCodeAt(pos + 1)))) bail();
          pos = identEnd(t, pos + 2);
          kind = PREV_ID;
          continue;
        case 92: // an escaped identifier
          bail();
      }
      // Punctuators.
      const d = pos + 1 < n ? t.charCodeAt(pos + 1) : -1;
      if (c === 61 && d === 62) {
        pos += 2;
        punct = ARROW;
      } else if (c === 63 && d === 46 && !(pos + 2 < n && isDigit(t.charCodeAt(pos + 2)))) {
        pos += 2;
        punct = OPTIONAL_CHAIN;
      } else if (c === 46 && d === 46 && pos + 2 < n && t.charCodeAt(pos + 2) === 46) {
        // A spread, not a member access: `...import("x")` is still an import.
        pos += 3;
        punct = SPREAD;
      } else if ((c === 43 || c === 45) && d === c) {
        // `a++ / b` divides; `++/re/` cannot be written.
        punct = startsExpression(t, kind, punct, wordStart, wordEnd) ? PREFIX : POSTFIX_UPDATE;
        pos += 2;
      } else if (c === 33 && d !== 61 && !startsExpression(t, kind, punct, wordStart, wordEnd)) {
        // TypeScript's non-null `x!` ends an expression.
        pos++;
        punct = POSTFIX_NON_NULL;
      } else {
        if (this.watchDeclarators && level === 0 && stack.length === 0) {
          if (c === 44) bail();
          if (c === 59) this.watchDeclarators = false;
        }
        pos++;
        punct = c;
      }
      kind = PREV_PUNCT;
    }
  }

  protected setPrev(kind: number, punct = 0, wordStart = 0, wordEnd = 0): void {
    this.prevKind = kind;
    this.prevPunct = punct;
    this.prevWordStart = wordStart;
    this.prevWordEnd = wordEnd;
  }

  /** Whether the previous token is the punctuator `code` (a char code, or ARROW). */
  protected prevIsPunct(code: number): boolean {
    return this.prevKind === PREV_PUNCT && this.prevPunct === code;
  }

  /** Whether the previous token is the word `word` (not a member name). */
  protected prevIsWord(word: string): boolean {
    return this.prevKind === PREV_WORD && this.prevWordEnd - this.prevWordStart === word.length && this.text.startsWith(word, this.prevWordStart);
  }

  // ---- trivia and literals ----

  protected trivia(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
        this.pos++;
      } else if (c === 47 && t.charCodeAt(this.pos + 1) === 47) {
        const start = this.pos;
        this.pos += 2;
        while (this.pos < t.length && !isLineEnd(t.charCodeAt(this.pos))) this.pos++;
        this.comment(start, this.pos);
      } else if (c === 47 && t.charCodeAt(this.pos + 1) === 42) {
        const start = this.pos;
        const end = t.indexOf("*/", this.pos + 2);
        if (end === -1) bail();
        this.pos = end + 2;
        this.comment(start, this.pos);
      } else if (c > 127 && UNICODE_SPACE.test(t[this.pos]!)) {
        this.pos++;
      } else {
        return;
      }
    }
  }

  /** Header parsing may read ahead and back up: a comment is recorded once. */
  protected comment(start: number, end: number): void {
    const last = this.comments[this.comments.length - 1];
    if (last === undefined || start > last.start) this.comments.push({ start, end });
  }

  protected ident(): string {
    const start = this.pos;
    this.pos = identEnd(this.text, start + 1);
    return this.text.slice(start, this.pos);
  }

  protected string(quote: number): void {
    this.pos = stringEnd(this.text, this.pos, quote);
  }

  protected template(level: number): void {
    const t = this.text;
    this.pos++;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 96) {
        this.pos++;
        return;
      }
      if (c === 92) {
        this.pos += 2;
      } else if (c === 36 && t.charCodeAt(this.pos + 1) === 123) {
        this.pos += 2;
        this.setPrev(PREV_PUNCT, 123);
        this.code(true, level + 1);
      } else {
        this.pos++;
      }
    }
    bail();
  }

  protected regex(): void {
    const t = this.text;
    this.pos++;
    let inClass = false;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (isLineEnd(c)) bail();
      if (c === 92) {
        this.pos += 2;
        continue;
      }
      this.pos++;
      if (c === 91) inClass = true;
      else if (c === 93) inClass = false;
      else if (c === 47 && !inClass) {
        while (this.pos < t.length && isIdPart(t.charCodeAt(this.pos))) this.pos++;
        return;
      }
    }
    bail();
  }

  // ---- JSX ----

  protected jsxElement(level: number): void {
    const t = this.text;
    this.pos++; // <
    this.trivia();
    const name = t.charCodeAt(this.pos) === 62 ? "" : this.jsxName();
    if (name !== "") {
      this.trivia();
      // `<T,>(x) =>` and `<T extends U>` are generic arrow functions, not elements.
      const c = t.charCodeAt(this.pos);
      if (c === 44 || c === 60) bail();
      if (/^extends\b/.test(t.slice(this.pos, this.pos + 8))) bail();
    }
    // Attributes.
    while (true) {
      this.trivia();
      const c = t.charCodeAt(this.pos);
      if (c === 47) {
        if (t.charCodeAt(this.pos + 1) !== 62) bail();
        this.pos += 2;
        return;
      }
      if (c === 62) {
        this.pos++;
        break;
      }
      if (name === "") bail();
      if (c === 123) {
        this.pos++;
        this.setPrev(PREV_PUNCT, 123);
        this.code(true, level + 1);
        continue;
      }
      if (!isIdStart(c)) bail();
      this.jsxName();
      this.trivia();
      if (t.charCodeAt(this.pos) !== 61) continue;
      this.pos++;
      this.trivia();
      const v = t.charCodeAt(this.pos);
      if (v === 34 || v === 39) {
        const end = t.indexOf(t[this.pos]!, this.pos + 1);
        if (end === -1) bail();
        this.pos = end + 1;
      } else if (v === 123) {
        this.pos++;
        this.setPrev(PREV_PUNCT, 123);
        this.code(true, level + 1);
      } else if (v === 60) {
        this.jsxElement(level);
      } else {
        bail();
      }
    }
    // Children, then the closing tag.
    while (true) {
      while (this.pos < t.length) {
        const c = t.charCodeAt(this.pos);
        if (c === 60 || c === 123) break;
        this.pos++;
      }
      if (this.pos >= t.length) bail();
      if (t.charCodeAt(this.pos) === 123) {
        this.pos++;
        this.setPrev(PREV_PUNCT, 123);
        this.code(true, level + 1);
        continue;
      }
      const open = this.pos;
      this.pos++;
      this.trivia();
      if (t.charCodeAt(this.pos) === 47) {
        this.pos++;
        this.trivia();
        const closing = t.charCodeAt(this.pos) === 62 ? "" : this.jsxName();
        this.trivia();
        if (closing !== name || t.charCodeAt(this.pos) !== 62) bail();
        this.pos++;
        return;
      }
      this.pos = open;
      this.jsxElement(level);
    }
  }

  /** `div`, `my-element`, `svg:rect`, `Foo.Bar` (an attribute name uses the same characters). */
  protected jsxName(): string {
    const t = this.text;
    const start = this.pos;
    if (!isIdStart(t.charCodeAt(this.pos))) bail();
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (isIdPart(c) || c === 45 || c === 58 || c === 46) this.pos++;
      else break;
    }
    return t.slice(start, this.pos);
  }

  protected peek(): Tok {
    const save = this.pos;
    const t = this.read();
    this.pos = save;
    return t;
  }

  /** One token of a statement header: identifiers, string literals, single punctuators. */
  protected read(): Tok {
    this.trivia();
    const t = this.text;
    const start = this.pos;
    if (start >= t.length) return { kind: "other", value: "", start, end: start };
    const c = t.charCodeAt(start);
    if (isIdStart(c)) {
      const value = this.ident();
      return { kind: "id", value, start, end: this.pos };
    }
    if (c === 34 || c === 39) {
      this.string(c);
      return { kind: "str", value: "", start, end: this.pos };
    }
    if (c === 96) {
      // A template counts as a literal only without substitutions.
      let i = start + 1;
      while (i < t.length && t.charCodeAt(i) !== 96) {
        if (t.charCodeAt(i) === 92 || (t.charCodeAt(i) === 36 && t.charCodeAt(i + 1) === 123)) return { kind: "other", value: "", start, end: start };
        i++;
      }
      if (i >= t.length) bail();
      this.pos = i + 1;
      return { kind: "str", value: "", start, end: this.pos };
    }
    this.pos++;
    return { kind: "punct", value: t[start]!, start, end: this.pos };
  }
}
