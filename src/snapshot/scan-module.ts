import { createLineIndex } from "./line-index.js";
import { NAMESPACE, type ModuleRecord, type RecordedBinding, type RecordedReexport, type RecordedSpecifier } from "./module-record.js";
import { ARROW, bail, CodeScanner, PREV_ID, PREV_NONE, PREV_PUNCT, PREV_VALUE, PREV_WORD, type Tok } from "./scan-code.js";
import { commentTester, mayContainRequire, scanRequires } from "./scan-require.js";
import { JSX_PATH } from "./syntax-verdict.js";

/**
 * The module record of a file that parses cleanly, read by a tokenizer instead of from oxc's
 * AST. oxc-parser on Node 20 serialises the whole AST to JSON before JS sees the module record
 * (~53 MB of JSON for 1k files), which was most of a cold `plumbline check`; this scan does no
 * allocation per AST node.
 *
 * It is an optimisation, never a second opinion: on anything it does not fully understand
 * (destructured or multiple exported declarators, an import binding re-exported by name,
 * `export =`, `declare module "x"`, a dynamic import that may be a type, JSX it cannot match,
 * a specifier with escapes, unbalanced brackets…) it returns null and the caller parses with
 * oxc. It cannot see syntax errors, so the caller takes its record only for a file the oxc
 * toolchain accepted (see extract-imports.ts). test/snapshot/scan-module.test.ts holds it to
 * oxc's record, field by field.
 */
export function scanModuleRecord(path: string, text: string): ModuleRecord | null {
  try {
    return new Scanner(text, JSX_PATH.test(path)).run();
  } catch {
    // BAIL, or a stack overflow on absurdly nested templates or JSX: oxc has the last word.
    return null;
  }
}

/** A string literal or a template without substitutions; anything computed is not a specifier. */
export function literalValue(source: string): string | null {
  const s = source.trim();
  if (s.length < 2) return null;
  const q = s[0];
  if ((q !== '"' && q !== "'" && q !== "`") || s[s.length - 1] !== q) return null;
  const body = s.slice(1, -1);
  if (body.includes("\\") || body.includes(q) || (q === "`" && body.includes("${"))) return null;
  return body;
}

const DECLARATION_WORDS = new Set(["function", "class", "interface", "type", "enum", "namespace", "module"]);

// The one-step statement shapes (see Scanner.namedImport), built from shared parts. ASCII
// spacing only, as the token path would skip it; a specifier with no quote, backslash or line
// break in it, read as it stands; a name of ASCII word characters.
const SPACE = String.raw`[ \t\n\r]`;
const NAME = String.raw`([A-Za-z_$][\w$]*)`;
/** `[type] `, group 1. */
const TYPE_PREFIX = String.raw`(?:${SPACE}+(type))?${SPACE}*`;
/** ` from "x"`: groups 3 (the quote) and 4 (the specifier). */
const FROM_SPECIFIER = String.raw`${SPACE}*from${SPACE}*(["'])([^"'\\\n\r]*)\3`;
const NAMED_IMPORT = new RegExp(String.raw`${TYPE_PREFIX}\{([\w$ \t\n\r,]*)\}${FROM_SPECIFIER}`, "y");
const DECLARATION_EXPORT = new RegExp(String.raw`${SPACE}+(?:async${SPACE}+)?(${["const", "let", "var", ...DECLARATION_WORDS].join("|")})${SPACE}+${NAME}(?![\w$\\\u0080-\uffff])`, "y");
const STAR_EXPORT = new RegExp(String.raw`${TYPE_PREFIX}\*(?:${SPACE}*as${SPACE}+${NAME})?${FROM_SPECIFIER}`, "y");
/** One entry of a named list: `[type ]name[ as local]`. */
const NAMED_ENTRY = /^(?:(type)[ \t\n\r]+)?([A-Za-z_$][\w$]*)(?:[ \t\n\r]+as[ \t\n\r]+([A-Za-z_$][\w$]*))?$/;

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

/**
 * The entries of a named list's text (between its braces) as the token path reads them, or null
 * where it would read them differently or give up (`type as …`, an empty entry but a trailing one).
 */
function namedItems(list: string): { name: string; local: string; typeOnly: boolean }[] | null {
  const items: { name: string; local: string; typeOnly: boolean }[] = [];
  const entries = list.split(",");
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!.trim();
    if (entry === "") {
      if (i === entries.length - 1 && (i > 0 || entries.length === 1)) continue;
      return null;
    }
    const m = NAMED_ENTRY.exec(entry);
    // `type as x` and `type as as x`: the token path gives up on both.
    if (m === null || (m[1] === undefined ? m[2] === "type" && m[3] !== undefined : m[2] === "as")) return null;
    items.push({ name: m[2]!, local: m[3] ?? m[2]!, typeOnly: m[1] !== undefined });
  }
  return items;
}

interface Positioned {
  readonly offset: number;
  readonly spec: Omit<RecordedSpecifier, "line" | "column">;
}

/** Reads import and export statements off the tokens of scan-code.ts, as oxc's module record has them. */
class Scanner extends CodeScanner {
  private readonly found: Positioned[] = [];
  private readonly localExports: string[] = [];
  private readonly reexports: RecordedReexport[] = [];
  /** Names bound by import declarations, and names exported by a local `export {…}`. */
  private readonly importLocals = new Set<string>();
  private readonly listedLocals: string[] = [];

  run(): ModuleRecord {
    if (this.text.startsWith("#!")) bail();
    this.code(false, 0);
    if (this.pos < this.text.length) bail();
    for (const name of this.listedLocals) if (this.importLocals.has(name)) bail();
    if (mayContainRequire(this.text)) {
      for (const h of scanRequires(this.text, commentTester(this.comments))) {
        this.found.push({ offset: h.offset, spec: { specifier: h.specifier, syntax: h.syntax, typeOnly: h.typeOnly, bindings: [{ name: NAMESPACE, typeOnly: h.typeOnly }] } });
      }
    }
    this.found.sort((a, b) => a.offset - b.offset);
    const lines = createLineIndex(this.text);
    const specifiers = this.found.map(({ offset, spec }) => {
      const { line, column } = lines.positionAt(offset);
      return { specifier: spec.specifier, syntax: spec.syntax, line, column, typeOnly: spec.typeOnly, bindings: spec.bindings };
    });
    return { specifiers, localExports: [...new Set(this.localExports)], reexports: this.reexports, problems: [] };
  }

  // ---- import / export ----

  protected keyword(word: "import" | "export", start: number, topLevel: boolean, stack: number[], checkAfter: Set<number>): void {
    // (None of the one-step shapes can be `import.meta`, `import(` or a key `import:`.)
    if (topLevel && (word === "import" ? this.namedImport() : this.declarationExport() || this.starExport())) return;
    const next = this.peek();
    if (word === "import") {
      if (next.kind === "punct" && next.value === ".") {
        this.setPrev(PREV_ID); // import.meta
        return;
      }
      if (next.kind === "punct" && next.value === "(") {
        this.dynamicImport(topLevel, stack, checkAfter);
        return;
      }
      if (next.kind === "punct" && next.value === ":") {
        this.setPrev(PREV_ID); // an object key
        return;
      }
      if (!topLevel) bail();
      this.watchDeclarators = false;
      this.importDeclaration(start);
      return;
    }
    if (next.kind === "punct" && next.value === ":") {
      this.setPrev(PREV_ID);
      return;
    }
    if (!topLevel) bail();
    this.watchDeclarators = false;
    this.exportDeclaration();
  }

  // Each statement header is read token by token below. Three shapes make up most of them, and
  // each is matched here in one regex step instead (a cold check runs this code in V8's
  // interpreter, where a dozen token reads per statement cost more than the rest of the file).
  // They take only what the token path would read the same way; anything else, even spacing
  // with a comment in it, returns false and goes the token path.

  /** `import [type] { a, type b, c as d } from "x"`. */
  private namedImport(): boolean {
    const m = matchAt(NAMED_IMPORT, this.text, this.pos);
    if (m === null) return false;
    const typeImport = m[1] !== undefined;
    const items = namedItems(m[2]!);
    if (items === null) return false;
    const bindings: RecordedBinding[] = [];
    for (const item of items) {
      this.importLocals.add(item.local);
      bindings.push({ name: item.name, typeOnly: typeImport || item.typeOnly });
    }
    const specifier = m[4]!;
    this.watchDeclarators = false;
    this.pos = m.index + m[0].length;
    this.found.push({ offset: this.pos - specifier.length - 2, spec: { specifier, syntax: "import", typeOnly: bindings.length > 0 ? bindings.every((b) => b.typeOnly) : typeImport, bindings } });
    this.setPrev(PREV_VALUE);
    return true;
  }

  /** `export [async] const|let|var|function|class|interface|type|enum|namespace|module name`. */
  private declarationExport(): boolean {
    const m = matchAt(DECLARATION_EXPORT, this.text, this.pos);
    if (m === null || (m[1] === "const" && m[2] === "enum")) return false;
    this.localExports.push(m[2]!);
    this.watchDeclarators = m[1] === "const" || m[1] === "let" || m[1] === "var";
    this.pos = m.index + m[0].length;
    this.setPrev(PREV_ID);
    return true;
  }

  /** `export [type] * [as name] from "x"`. */
  private starExport(): boolean {
    const m = matchAt(STAR_EXPORT, this.text, this.pos);
    if (m === null) return false;
    const typeExport = m[1] !== undefined;
    const specifier = m[4]!;
    this.reexports.push({ exportName: m[2] ?? NAMESPACE, importName: NAMESPACE, specifier, typeOnly: typeExport });
    this.watchDeclarators = false;
    this.pos = m.index + m[0].length;
    this.found.push({ offset: this.pos - specifier.length - 2, spec: { specifier, syntax: "export", typeOnly: typeExport, bindings: [{ name: NAMESPACE, typeOnly: typeExport }] } });
    this.setPrev(PREV_VALUE);
    return true;
  }

  /**
   * `import("x")` is a dynamic import only where no type can stand: `import("x").T` is also a
   * type, so only the spots that cannot hold one are taken; anything else goes to oxc.
   */
  private dynamicImport(topLevel: boolean, stack: number[], checkAfter: Set<number>): void {
    const statementStart = topLevel && (this.prevKind === PREV_NONE || this.prevIsPunct(59) || this.prevIsPunct(125)); // ; }
    const afterArrow = this.prevIsPunct(ARROW);
    const sure = statementStart || this.prevIsWord("await") || this.prevIsWord("return");
    if (!sure && !afterArrow) bail();
    const open = this.read(); // (
    const arg = this.read();
    const after = this.peek();
    if ((arg.kind === "str" || arg.kind === "other") && after.kind === "punct" && (after.value === "," || after.value === ")")) {
      const specifier = arg.kind === "str" ? literalValue(this.text.slice(arg.start, arg.end)) : null;
      if (arg.kind === "str" && specifier !== null) this.found.push({ offset: arg.start, spec: { specifier, syntax: "dynamic", typeOnly: false, bindings: [{ name: NAMESPACE, typeOnly: false }] } });
    }
    // Hand the call's brackets back to the main loop.
    this.pos = open.end;
    stack.push(40);
    if (afterArrow) checkAfter.add(stack.length - 1);
    this.setPrev(PREV_PUNCT, 40);
  }

  /** After `=> import("x")`: a member access other than a promise method may be a type (`() => import("x").T`). */
  protected onlyPromiseChain(): void {
    const next = this.peek();
    if (next.kind !== "punct" || next.value !== ".") return;
    const save = this.pos;
    this.read();
    const member = this.read();
    this.pos = save;
    if (member.kind !== "id" || !["then", "catch", "finally"].includes(member.value)) bail();
  }

  private importDeclaration(start: number): void {
    let t = this.read();
    let typeImport = false;
    if (t.kind === "id" && t.value === "type") {
      const n = this.peek();
      if ((n.kind === "id" && n.value !== "from") || (n.kind === "punct" && (n.value === "{" || n.value === "*"))) {
        typeImport = true;
        t = this.read();
      } else if (!(n.kind === "punct" && n.value === ",")) {
        bail(); // `import type from "x"`, `import type = …`
      }
    }
    if (t.kind === "str") {
      if (typeImport) bail();
      this.addImport(t, start, []);
      return;
    }
    const bindings: RecordedBinding[] = [];
    if (t.kind === "id") {
      const n = this.peek();
      if (n.kind === "punct" && n.value === "=") {
        // `import [type] x = require("y")` (the require scan finds it) or `import x = A.B`: not in oxc's record.
        if (t.value === "type") bail();
        this.setPrev(PREV_ID);
        return;
      }
      if (t.value === "from" || t.value === "type" && !(n.kind === "punct" && n.value === ",")) bail();
      this.importLocals.add(t.value);
      bindings.push({ name: "default", typeOnly: typeImport });
      if (n.kind === "punct" && n.value === ",") {
        this.read();
        t = this.read();
      } else {
        t = this.read();
        this.expectFrom(t);
        this.addImport(this.read(), start, bindings);
        return;
      }
    }
    if (t.kind === "punct" && t.value === "*") {
      this.expectWord("as");
      const local = this.read();
      if (local.kind !== "id") bail();
      this.importLocals.add(local.value);
      bindings.push({ name: NAMESPACE, typeOnly: typeImport });
    } else if (t.kind === "punct" && t.value === "{") {
      for (const item of this.namedList()) {
        this.importLocals.add(item.local);
        bindings.push({ name: item.name, typeOnly: typeImport || item.typeOnly });
      }
    } else {
      bail();
    }
    this.expectFrom(this.read());
    this.addImport(this.read(), start, bindings);
  }

  private addImport(literal: Tok, start: number, bindings: RecordedBinding[]): void {
    const specifier = this.specifierOf(literal);
    const typeOnly = bindings.length > 0 ? bindings.every((b) => b.typeOnly) : /^import\s+type\s*\{/.test(this.text.slice(start, literal.start));
    this.found.push({ offset: literal.start, spec: { specifier, syntax: "import", typeOnly, bindings } });
    this.setPrev(PREV_VALUE);
  }

  private exportDeclaration(): void {
    let t = this.read();
    let typeExport = false;
    if (t.kind === "id" && t.value === "type") {
      const n = this.peek();
      if (n.kind === "punct" && (n.value === "{" || n.value === "*")) {
        typeExport = true;
        t = this.read();
      }
    }
    if (t.kind === "punct" && t.value === "*") {
      const exportName = this.alias() ?? NAMESPACE;
      this.expectFrom(this.read());
      const literal = this.read();
      const specifier = this.specifierOf(literal);
      this.reexports.push({ exportName, importName: NAMESPACE, specifier, typeOnly: typeExport });
      this.found.push({ offset: literal.start, spec: { specifier, syntax: "export", typeOnly: typeExport, bindings: [{ name: NAMESPACE, typeOnly: typeExport }] } });
      this.setPrev(PREV_VALUE);
      return;
    }
    if (t.kind === "punct" && t.value === "{") {
      const items = this.namedList();
      const n = this.peek();
      if (n.kind === "id" && n.value === "from") {
        this.read();
        const literal = this.read();
        const specifier = this.specifierOf(literal);
        const bindings: RecordedBinding[] = [];
        for (const item of items) {
          const typeOnly = typeExport || item.typeOnly;
          this.reexports.push({ exportName: item.local, importName: item.name, specifier, typeOnly });
          bindings.push({ name: item.name, typeOnly });
        }
        if (bindings.length > 0) this.found.push({ offset: literal.start, spec: { specifier, syntax: "export", typeOnly: bindings.every((b) => b.typeOnly), bindings } });
        this.setPrev(PREV_VALUE);
        return;
      }
      // `export { a as b }`: `a` is this module's own unless an import bound it (checked at the end).
      for (const item of items) {
        this.listedLocals.push(item.name);
        this.localExports.push(item.local);
      }
      this.setPrev(PREV_PUNCT, 125);
      return;
    }
    if (t.kind !== "id") bail();
    if (t.value === "default") {
      // oxc makes `export default x` of an imported `x` a re-export: checked at the end like `export { x }`.
      const n = this.peek();
      if (n.kind === "id") this.listedLocals.push(n.value);
      this.localExports.push("default");
      this.setPrev(PREV_WORD, 0, t.start, t.end);
      return;
    }
    if (t.value === "declare") t = this.read();
    if (t.kind === "id" && (t.value === "async" || t.value === "abstract")) t = this.read();
    if (t.kind !== "id") bail();
    let declarator = false;
    if (t.value === "const" || t.value === "let" || t.value === "var") {
      const n = this.peek();
      if (t.value === "const" && n.kind === "id" && n.value === "enum") this.read();
      else declarator = true;
    } else if (!DECLARATION_WORDS.has(t.value)) {
      bail(); // `export =`, `export as namespace`, `export import`, decorators, `declare global`…
    }
    if (t.value === "function" && this.peek().value === "*") this.read();
    const name = this.read();
    if (name.kind !== "id") bail(); // destructuring, `declare module "x"`
    this.localExports.push(name.value);
    this.watchDeclarators = declarator;
    this.setPrev(PREV_ID);
  }

  /** `{ a, b as c, type d }` after its `{`: each entry's name in the other module and its local name. */
  private namedList(): { name: string; local: string; typeOnly: boolean }[] {
    const items: { name: string; local: string; typeOnly: boolean }[] = [];
    while (true) {
      let t = this.read();
      if (t.kind === "punct" && t.value === "}") return items;
      if (t.kind !== "id") bail(); // string names (`"a-b" as c`) go to oxc
      let typeOnly = false;
      if (t.value === "type") {
        const n = this.peek();
        if (n.kind === "id" && n.value !== "as") {
          typeOnly = true;
          t = this.read();
        } else if (n.kind === "id") {
          bail(); // `type as …`
        }
      }
      items.push({ name: t.value, local: this.alias() ?? t.value, typeOnly });
      const n = this.read();
      if (n.kind === "punct" && n.value === "}") return items;
      if (!(n.kind === "punct" && n.value === ",")) bail();
    }
  }

  /** `as name`, if that comes next. */
  private alias(): string | null {
    const n = this.peek();
    if (n.kind !== "id" || n.value !== "as") return null;
    this.read();
    const name = this.read();
    if (name.kind !== "id") bail();
    return name.value;
  }

  private specifierOf(literal: Tok): string {
    if (literal.kind !== "str" || this.text[literal.start] === "`") bail();
    const value = this.text.slice(literal.start + 1, literal.end - 1);
    if (value.includes("\\")) bail();
    return value;
  }

  private expectFrom(t: Tok): void {
    if (t.kind !== "id" || t.value !== "from") bail();
  }

  private expectWord(word: string): void {
    const t = this.read();
    if (t.kind !== "id" || t.value !== word) bail();
  }
}
