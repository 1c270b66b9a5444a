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

/** Keywords after which `/` starts a regular expression and `<` a JSX element. */
const EXPRESSION_KEYWORDS = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await", "default", "extends"]);
const KEYWORD_INITIALS = new Set([...EXPRESSION_KEYWORDS].map((w) => w.charCodeAt(0)));

type TokKind = "none" | "id" | "kw" | "str" | "num" | "tpl" | "regex" | "jsx" | "punct";
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
const UNICODE_SPACE = /[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

export abstract class CodeScanner {
  protected pos = 0;
  protected readonly comments: { start: number; end: number }[] = [];
  protected prevKind: TokKind = "none";
  protected prevValue = "";
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
   */
  protected code(untilBrace: boolean, level: number): void {
    const t = this.text;
    const stack: number[] = [];
    /** Index into `stack` of a call `import(` reached through `=>` (it may be a function type's return). */
    const checkAfter = new Set<number>();
    while (true) {
      this.trivia();
      if (this.pos >= t.length) {
        if (untilBrace || stack.length > 0) bail();
        return;
      }
      const c = t.charCodeAt(this.pos);
      const start = this.pos;
      if (isIdStart(c)) {
        this.skipIdent();
        const len = this.pos - start;
        if (c > 127 && UNICODE_SPACE.test(t.slice(start, this.pos))) bail();
        const member = this.prevKind === "punct" && (this.prevValue === "." || this.prevValue === "?.");
        if (member) {
          this.setPrev("id", "");
          continue;
        }
        // Most identifiers are no keyword of interest: compare in place rather than slice each one.
        if (len === 6 && (t.startsWith("import", start) || t.startsWith("export", start))) {
          const topLevel = level === 0 && stack.length === 0;
          this.keyword(t.startsWith("import", start) ? "import" : "export", start, topLevel, stack, checkAfter);
          continue;
        }
        const word = len >= 2 && len <= 10 && KEYWORD_INITIALS.has(c) ? t.slice(start, this.pos) : "";
        if (EXPRESSION_KEYWORDS.has(word)) this.setPrev("kw", word);
        else this.setPrev("id", "");
        continue;
      }
      if (isDigit(c) || (c === 46 && isDigit(t.charCodeAt(this.pos + 1)))) {
        this.number();
        this.setPrev("num", "");
        continue;
      }
      switch (c) {
        case 34: // "
        case 39: // '
          this.string(c);
          this.setPrev("str", "");
          continue;
        case 96: // `
          this.template(level);
          this.setPrev("tpl", "");
          continue;
        case 40: // (
        case 91: // [
        case 123: // {
          this.pos++;
          stack.push(c);
          this.setPrev("punct", t[start]!);
          continue;
        case 41: // )
        case 93: // ]
        case 125: {
          // }
          const open = stack.pop();
          if (open === undefined) {
            if (c === 125 && untilBrace) {
              this.pos++;
              return;
            }
            bail();
          }
          if ((c === 41 && open !== 40) || (c === 93 && open !== 91) || (c === 125 && open !== 123)) bail();
          this.pos++;
          this.setPrev("punct", t[start]!);
          if (checkAfter.delete(stack.length)) this.onlyPromiseChain();
          continue;
        }
        case 47: // /
          if (this.expressionStarts()) {
            this.regex();
            this.setPrev("regex", "");
          } else {
            this.pos++;
            this.setPrev("punct", "/");
          }
          continue;
        case 60: // <
          if (this.jsx && this.expressionStarts()) {
            this.jsxElement(level);
            this.setPrev("jsx", "");
          } else {
            this.pos++;
            this.setPrev("punct", "<");
          }
          continue;
        case 35: // #private
          this.pos++;
          if (!isIdStart(t.charCodeAt(this.pos))) bail();
          this.skipIdent();
          this.setPrev("id", "");
          continue;
        case 92: // an escaped identifier
          bail();
      }
      this.punct(level === 0 && stack.length === 0);
    }
  }

  protected setPrev(kind: TokKind, value: string): void {
    this.prevKind = kind;
    this.prevValue = value;
  }

  /** Whether the previous token leaves the parser expecting an expression (so `/` is a regex, `<` a tag). */
  protected expressionStarts(): boolean {
    switch (this.prevKind) {
      case "none":
      case "kw":
        return true;
      case "punct":
        return !(this.prevValue === ")" || this.prevValue === "]" || this.prevValue === "}" || this.prevValue === "++" || this.prevValue === "--" || this.prevValue === "!post");
      default:
        return false;
    }
  }

  protected punct(moduleLevel: boolean): void {
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    const n = t.charCodeAt(this.pos + 1);
    if (c === 61 && n === 62) {
      this.pos += 2;
      this.setPrev("punct", "=>");
      return;
    }
    if (c === 63 && n === 46 && !isDigit(t.charCodeAt(this.pos + 2))) {
      this.pos += 2;
      this.setPrev("punct", "?.");
      return;
    }
    if (c === 46 && n === 46 && t.charCodeAt(this.pos + 2) === 46) {
      // A spread, not a member access: `...import("x")` is still an import.
      this.pos += 3;
      this.setPrev("punct", "...");
      return;
    }
    if ((c === 43 || c === 45) && n === c) {
      // `a++ / b` divides; `++/re/` cannot be written.
      this.pos += 2;
      this.setPrev("punct", this.expressionStarts() ? "prefix" : c === 43 ? "++" : "--");
      return;
    }
    if (c === 33 && n !== 61 && !this.expressionStarts()) {
      // TypeScript's non-null `x!` ends an expression.
      this.pos++;
      this.setPrev("punct", "!post");
      return;
    }
    if (moduleLevel && this.watchDeclarators) {
      if (c === 44) bail();
      if (c === 59) this.watchDeclarators = false;
    }
    this.pos++;
    this.setPrev("punct", t[this.pos - 1]!);
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

  protected skipIdent(): void {
    const t = this.text;
    this.pos++;
    while (this.pos < t.length && isIdPart(t.charCodeAt(this.pos))) this.pos++;
    if (t.charCodeAt(this.pos) === 92) bail();
  }

  protected ident(): string {
    const start = this.pos;
    this.skipIdent();
    return this.text.slice(start, this.pos);
  }

  protected number(): void {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      const exponentSign = (c === 43 || c === 45) && (t[this.pos - 1] === "e" || t[this.pos - 1] === "E") && !/^0[a-zA-Z]/.test(t.slice(start, start + 2));
      if (isIdPart(c) || c === 46 || exponentSign) this.pos++;
      else return;
    }
  }

  protected string(quote: number): void {
    const t = this.text;
    this.pos++;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === quote) {
        this.pos++;
        return;
      }
      this.pos += c === 92 ? 2 : 1;
    }
    bail();
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
        this.setPrev("punct", "{");
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
        this.setPrev("punct", "{");
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
        this.setPrev("punct", "{");
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
        this.setPrev("punct", "{");
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
