import { createLineIndex } from "./line-index.js";
import { NAMESPACE, type ModuleRecord, type RecordedBinding, type RecordedReexport, type RecordedSpecifier } from "./module-record.js";
import { bail, CodeScanner, type Tok } from "./scan-code.js";
import { commentTester, mayContainRequire, scanRequires } from "./scan-require.js";

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

/** Files oxc parses with JSX enabled (see optionsFor in extract-imports.ts). */
export const JSX_PATH = /\.(?:[cm]?js|jsx|tsx)$/;

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

const DECLARATION_WORDS = new Set(["function", "class", "interface", "enum", "namespace", "module", "type"]);

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
    const next = this.peek();
    if (word === "import") {
      if (next.kind === "punct" && next.value === ".") {
        this.setPrev("id", word); // import.meta
        return;
      }
      if (next.kind === "punct" && next.value === "(") {
        this.dynamicImport(topLevel, stack, checkAfter);
        return;
      }
      if (next.kind === "punct" && next.value === ":") {
        this.setPrev("id", word); // an object key
        return;
      }
      if (!topLevel) bail();
      this.watchDeclarators = false;
      this.importDeclaration(start);
      return;
    }
    if (next.kind === "punct" && next.value === ":") {
      this.setPrev("id", word);
      return;
    }
    if (!topLevel) bail();
    this.watchDeclarators = false;
    this.exportDeclaration();
  }

  /**
   * `import("x")` is a dynamic import only where no type can stand: `import("x").T` is also a
   * type, so only the spots that cannot hold one are taken; anything else goes to oxc.
   */
  private dynamicImport(topLevel: boolean, stack: number[], checkAfter: Set<number>): void {
    const statementStart = topLevel && (this.prevKind === "none" || (this.prevKind === "punct" && (this.prevValue === ";" || this.prevValue === "}")));
    const afterArrow = this.prevKind === "punct" && this.prevValue === "=>";
    const sure = statementStart || (this.prevKind === "kw" && (this.prevValue === "await" || this.prevValue === "return"));
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
    this.setPrev("punct", "(");
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
        this.setPrev("id", t.value);
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
    this.setPrev("str", "");
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
      this.setPrev("str", "");
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
        this.setPrev("str", "");
        return;
      }
      // `export { a as b }`: `a` is this module's own unless an import bound it (checked at the end).
      for (const item of items) {
        this.listedLocals.push(item.name);
        this.localExports.push(item.local);
      }
      this.setPrev("punct", "}");
      return;
    }
    if (t.kind !== "id") bail();
    if (t.value === "default") {
      // oxc makes `export default x` of an imported `x` a re-export: checked at the end like `export { x }`.
      const n = this.peek();
      if (n.kind === "id") this.listedLocals.push(n.value);
      this.localExports.push("default");
      this.setPrev("kw", "default");
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
    this.setPrev("id", name.value);
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
