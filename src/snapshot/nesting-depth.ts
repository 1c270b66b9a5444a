/**
 * oxc's parser and transformer recurse on the native stack, and a file nested deep enough
 * overflows it: a segfault that kills the whole process, which no try/catch sees. Measured on
 * oxc 0.158 (Node 20, 4 MB worker-thread stack, levels at which the process died): ~4.3k
 * `<a>{` JSX levels, ~5.5k `A<` generics, ~6.2k `{a:` objects, ~6.8k template substitutions,
 * ~7.4k `a=>` arrows, ~8.6k parentheses, ~9.4k brackets, ~10k JSX elements, ~12.5k
 * `?:`/`=`/`if` chains, ~19k `new`/`await`/calls, ~40k unary/binary/member chains. The 8 MB main
 * thread and libuv's threads take twice as many. (The pinned release is 0.151, the newest whose
 * builds for every platform the registry serves, so `npm ci` accepts the lock; test/snapshot/
 * nesting-depth.test.ts runs every crafted shape against it in a child process.)
 *
 * So a file is measured before it reaches either: this pass over-estimates how deep the
 * parser will recurse, and a file over MAX_NESTING is not parsed at all (one finding, never an
 * abort). It counts, additively along the enclosing brackets, each open `(`, `[`, `{`, template
 * `${`, JSX element and type-argument list, plus, within each, every token that can start one
 * more level of an expression or statement chain (operators, prefix keywords, closing
 * `)`/`]`) since the last `,`, `;` or statement-ending `}` — those separate siblings, which the
 * parser takes in a loop. JSX text and commas inside `<…>` separate nothing, so elements and
 * type arguments are brackets of their own. It skips comments and strings; it is no tokenizer
 * (a regex, a comparison or JSX text can make it count a few levels too many), which only
 * matters far above anything written by hand: the deepest of ~7k files in this repository's
 * node_modules (TypeScript's own 9 MB bundle) measures ~1.1k.
 */

/** The lowest crash above is ~2.5× this on a 4 MB stack (parse-pool.ts gives its workers 16 MB). */
export const MAX_NESTING = 2000;

/**
 * Weights, in quarters of a level, so that each shape's crash point above comes out at about the
 * same count (~20k quarters on a 4 MB stack): what opens a bracket, an element or a type-argument
 * list costs the most stack per level, a binary operator the least.
 */
const OPEN = 4;
const ARROW = 4;
const GROUP = 2;
const ASSIGN_OR_TERNARY = 2;
const OPERATOR = 1;
const QUARTERS = 4;

/** What an open frame is: a bracket closes at its closer; the others are `<`-opened. */
const BRACKET = 0;
const SUBSTITUTION = 1;
/** `<Tag` or `<T` until its `>`: a JSX opening tag or a type-argument list. */
const ANGLE = 2;
/** A JSX element after its opening tag, until `</`. */
const CHILDREN = 3;

/** Words after which the parser recurses for the operand (or, for `if`/`else`, the body). */
const CHAINING_WORDS = new Set(["if", "else", "new", "await", "typeof", "void", "delete", "yield", "keyof", "readonly", "unique", "infer", "in", "instanceof", "extends", "as", "satisfies", "is", "asserts"]);
/** After a `}`, these continue the same expression or statement; any other word starts a new one. */
const CONTINUING_WORDS = new Set(["else", "in", "instanceof", "as", "satisfies", "extends"]);
/** Operator characters read as one token (`&&`, `>>>=`, `?.`); the prefix ones (`!`, `-`…) count one by one. */
const isGroupedOp = (c: number) => c === 61 || c === 60 || c === 62 || c === 38 || c === 124 || c === 63 || c === 58 || c === 42 || c === 37 || c === 94;

/** ASCII identifier characters, by table: this pass reads every byte of every file. */
const ID_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) ID_PART[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 ? 1 : 0;
const isIdPart = (c: number) => c > 127 || ID_PART[c] === 1;
const isIdStart = (c: number) => isIdPart(c) && !(c >= 48 && c <= 57);
/** First letters of CHAINING_WORDS: most identifiers are never sliced and looked up. */
const WORD_INITIAL = new Uint8Array(128);
for (const w of CHAINING_WORDS) WORD_INITIAL[w.charCodeAt(0)] = 1;

/**
 * Where `text` may first nest deeper than `levels` (see above), or -1; it stops reading there.
 * `jsx`: whether the file is parsed with JSX (then `<Tag>` opens an element, not only a list).
 */
export function nestingOverflowAt(source: string, jsx: boolean, levels: number = MAX_NESTING): number {
  return withinNestingBound(source, levels) ? -1 : measureNesting(source, jsx, levels);
}

/** ASCII punctuation: every character that can open a frame or be (part of) a chaining token. */
const PUNCTUATION = new Uint8Array(128);
for (let c = 33; c < 127; c++) PUNCTUATION[c] = ID_PART[c] === 1 ? 0 : 1;
const CHAINING_WORD = new RegExp(`\\b(?:${[...CHAINING_WORDS].join("|")})\\b`, "g");
/** The shortest chaining word: at most one per this many characters (plus a separator). */
const SHORTEST_WORD = 2;

/**
 * True when `source` cannot reach `levels` by the measure below, so the full pass is not needed
 * (a fifth of its cost: most files are far too small to nest that deep). The measure is a sum
 * over the open frames of OPEN plus the run in force where each opened, plus the current run;
 * each frame is opened by a distinct punctuation character, and each run counts chaining tokens
 * of a different (enclosing) frame, so no token is counted twice. Every token is at least one
 * punctuation character worth at most QUARTERS, or a chaining word worth ASSIGN_OR_TERNARY. So
 * QUARTERS × (punctuation characters) + ASSIGN_OR_TERNARY × (chaining words) bounds the measure
 * anywhere in the file; counting them in strings and comments too only raises the bound.
 * test/snapshot/nesting-depth.test.ts holds this against the full pass on random token soups.
 */
export function withinNestingBound(source: string, levels: number): boolean {
  const limit = levels * QUARTERS;
  const n = source.length;
  if (n * QUARTERS <= limit) return true;
  const maxPunctuation = Math.floor(limit / QUARTERS);
  let punctuation = 0;
  for (let i = 0; i < n; i++) {
    const c = source.charCodeAt(i);
    if (c < 128 && PUNCTUATION[c] === 1 && ++punctuation > maxPunctuation) return false;
  }
  const room = limit - QUARTERS * punctuation;
  // Words are only counted when they could matter.
  if (ASSIGN_OR_TERNARY * Math.ceil(n / (SHORTEST_WORD + 1)) <= room) return true;
  CHAINING_WORD.lastIndex = 0;
  let words = 0;
  while (CHAINING_WORD.exec(source) !== null) if (ASSIGN_OR_TERNARY * ++words > room) return false;
  return true;
}

/** The full pass: where the measure first exceeds `levels`, or -1. */
export function measureNesting(source: string, jsx: boolean, levels: number = MAX_NESTING): number {
  const limit = levels * QUARTERS;
  const n = source.length;
  // Lookahead past the end would read NaN, which deoptimises this loop: pad instead of testing.
  const text = `${source}\n\n`;
  /** Per open frame: its kind and the run in force where it opened (restored when it closes). */
  const kinds: number[] = [];
  const runs: number[] = [];
  let depth = 0; // Σ over open frames of (OPEN + the run in force where it opened)
  let run = 0; // chaining tokens since the last sibling separator inside the innermost frame
  let i = 0;

  const open = (kind: number): boolean => {
    kinds.push(kind);
    runs.push(run);
    depth += run + OPEN;
    run = 0;
    return depth > limit;
  };
  const close = (): number => {
    const kind = kinds.pop()!;
    run = runs.pop()!;
    depth -= run + OPEN;
    return kind;
  };
  const top = () => (kinds.length === 0 ? -1 : kinds[kinds.length - 1]!);
  /** Template text from i (just after a backtick or a `${…}`): true if it opened `${`. */
  const templateText = (): boolean => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 96) {
        i++;
        return false;
      } else if (c === 36 && text.charCodeAt(i + 1) === 123) {
        i += 2;
        return true;
      } else i++;
    }
    return false;
  };
  const skipSpace = () => {
    while (i < n && text.charCodeAt(i) <= 32) i++;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c <= 32) {
      i++;
      continue;
    }
    if (c > 127 || ID_PART[c] === 1) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d > 127 ? false : ID_PART[d] === 0) break;
        i++;
      }
      const len = i - start;
      if (len >= 2 && len <= 10 && c < 128 && WORD_INITIAL[c] === 1 && CHAINING_WORDS.has(text.slice(start, i)) && (run += ASSIGN_OR_TERNARY) + depth > limit) return start;
      continue;
    }
    const start = i;
    switch (c) {
      case 34: // "
      case 39: {
        // '  (a string ends at its quote or, unterminated, at the line's end)
        i++;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === c || d === 10 || d === 13) break;
          i += d === 92 ? 2 : 1;
        }
        i++;
        continue;
      }
      case 96: // `
        i++;
        if (templateText() && open(SUBSTITUTION)) return i - 2;
        continue;
      case 47: {
        // /
        const d = text.charCodeAt(i + 1);
        if (d === 47) {
          const end = text.indexOf("\n", i + 2);
          i = end === -1 ? n : end + 1;
          continue;
        }
        if (d === 42) {
          const end = text.indexOf("*/", i + 2);
          i = end === -1 ? n : end + 2;
          continue;
        }
        if (d === 62 && top() === ANGLE) {
          // `<Tag … />`
          close();
          i += 2;
          continue;
        }
        break;
      }
      case 60: {
        // <
        const d = text.charCodeAt(i + 1);
        if (d === 47 && kinds.includes(CHILDREN)) {
          // `</Tag>`: whatever JSX text left open inside the element closes with it.
          while (close() !== CHILDREN);
          i += 2;
          while (i < n && (isIdPart(text.charCodeAt(i)) || text.charCodeAt(i) <= 32 || text.charCodeAt(i) === 46 || text.charCodeAt(i) === 58 || text.charCodeAt(i) === 45)) i++;
          if (text.charCodeAt(i) === 62) i++;
          continue;
        }
        if (isIdStart(d) || (jsx && d === 62)) {
          i++;
          if (open(ANGLE)) return start;
          continue;
        }
        break;
      }
      case 62: // >
        if (top() === ANGLE) {
          close();
          // A JSX opening tag ends here; its children nest until `</`. Outside JSX, a type
          // argument list ends. (In a JSX file a type argument list is taken for an element
          // too: it then stays open until its enclosing bracket closes.)
          if (jsx && open(CHILDREN)) return start;
          i++;
          continue;
        }
        break;
      case 44: // ,
      case 59: // ;
        run = 0;
        i++;
        continue;
      case 40: // (
      case 91: // [
      case 123: // {
        i++;
        if (open(BRACKET)) return start;
        continue;
      case 41: // )
      case 93: // ]
      case 125: {
        // }
        i++;
        // The `<`-opened frames inside a bracket end with it (a comparison, a type list, a tag).
        let kind = -1;
        while (kinds.length > 0 && (kind = close()) !== BRACKET && kind !== SUBSTITUTION);
        if (kind === -1) {
          run = 0;
          continue;
        }
        if (kind === SUBSTITUTION) {
          if (templateText() && open(SUBSTITUTION)) return i - 2;
          continue;
        }
        // `f()()`, `if (a) if (a)`, `A[][]`: the group is one more link of the chain.
        if (c !== 125) {
          run += GROUP;
          continue;
        }
        // `if (a) {…} if (b) {…}`: a word after a block starts a new statement, unless it continues this one.
        skipSpace();
        if (isIdStart(text.charCodeAt(i))) {
          let end = i;
          while (end < n && isIdPart(text.charCodeAt(end))) end++;
          if (!CONTINUING_WORDS.has(text.slice(i, end))) run = 0;
        }
        continue;
      }
    }
    // Any other punctuator: an operator.
    i++;
    if (isGroupedOp(c)) while (i < n && isGroupedOp(text.charCodeAt(i)) && !(text.charCodeAt(i) === 62 && top() === ANGLE)) i++;
    let weight = OPERATOR;
    if (c === 61 && text.charCodeAt(start + 1) === 62) weight = ARROW;
    else if (c === 63 || c === 58 || (text.charCodeAt(i - 1) === 61 && i - start <= 4 && text.charCodeAt(start + 1) !== 61)) weight = ASSIGN_OR_TERNARY;
    if ((run += weight) + depth > limit) return start;
  }
  return -1;
}
