import type { Rng } from "./prng.js";
import type { PlannedImport } from "./synth-imports.js";
import type { SynthDir, SynthModule } from "./synth-layout.js";

/**
 * Source text of synthetic modules. Bodies are sized and shaped like ordinary application
 * code (interfaces, functions, a class, JSX in `.tsx`), because parse cost — not I/O —
 * dominates import extraction; empty files would flatter every tool.
 * Every binding gets a unique local name (`i3`), so no file has a duplicate declaration
 * that a strict parser could report as an error.
 */

const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

export function renderModule(mod: SynthModule, imports: readonly PlannedImport[], rng: Rng): string {
  const head: string[] = [`/**`, ` * ${mod.symbol}: synthetic module for the plumbline benchmark.`, ` */`];
  const requires: string[] = [];
  const values: string[] = [];
  const types: string[] = [];
  const dynamics: string[] = [];
  let react: string | undefined;
  imports.forEach((imp, i) => {
    const local = `i${i}`;
    const spec = JSON.stringify(imp.specifier);
    switch (imp.form) {
      case "named":
        head.push(`import { ${imp.symbol} as ${local} } from ${spec};`);
        if (imp.specifier === "react") react = local;
        else values.push(local);
        break;
      case "type":
        head.push(`import type { ${cap(imp.symbol)}Shape as ${local} } from ${spec};`);
        types.push(local);
        break;
      case "namespace":
        head.push(`import * as ${local} from ${spec};`);
        values.push(`${local}.${imp.symbol}`);
        break;
      case "require":
        requires.push(`const { ${imp.symbol}: ${local} } = require(${spec});`);
        values.push(local);
        break;
      case "dynamic":
        dynamics.push(`  const ${local} = await import(${spec});`, `  loaded.push(${local}.${imp.symbol});`);
        break;
    }
  });
  const S = cap(mod.symbol);
  const body: string[] = [
    ...head,
    ...requires,
    "",
    `export interface ${S}Shape {`,
    `  id: string;`,
    `  count: number;`,
    `  tags: readonly string[];`,
    ...types.map((t, k) => `  ref${k}?: ${t};`),
    `}`,
    "",
    `export const ${mod.symbol} = {`,
    `  name: ${JSON.stringify(mod.symbol)},`,
    `  deps: [${values.join(", ")}] as const,`,
    `  weight: ${rng.int(1, 999)},`,
    `};`,
    "",
    `export function ${mod.symbol}Fn(input: ${S}Shape): number {`,
    `  let total = input.count;`,
    ...loopLines(rng),
    `  return total;`,
    `}`,
  ];
  if (dynamics.length > 0) {
    body.push("", `export async function ${mod.symbol}Load(): Promise<unknown[]> {`, `  const loaded: unknown[] = [];`, ...dynamics, `  return loaded;`, `}`);
  }
  body.push("", ...classLines(S, rng));
  if (mod.tsx) body.push("", ...viewLines(S, react ?? "useState", rng));
  return `${body.join("\n")}\n`;
}

export function renderBarrel(dir: SynthDir): string {
  const lines = [`// Public surface of ${dir.path}.`];
  for (const m of dir.modules) lines.push(`export * from "./${m.path.slice(dir.path.length + 1).replace(/\.tsx?$/, ".js")}";`);
  return `${lines.join("\n")}\n`;
}

function loopLines(rng: Rng): string[] {
  const out = [`  for (const tag of input.tags) {`];
  for (let k = rng.int(1, 6); k > 0; k--) out.push(`    if (tag.length > ${k}) total += tag.charCodeAt(${k - 1}) % ${rng.int(2, 97)};`);
  out.push(`  }`);
  return out;
}

function classLines(S: string, rng: Rng): string[] {
  const out = [`export class ${S}Service {`, `  private readonly cache = new Map<string, number>();`];
  for (let m = rng.int(1, 10); m > 0; m--) {
    out.push(
      "",
      `  method${m}(key: string, fallback = ${rng.int(0, 100)}): number {`,
      `    const hit = this.cache.get(key);`,
      `    if (hit !== undefined) return hit * ${rng.int(2, 9)};`,
      `    const value = key.split("").reduce((acc, ch) => acc + ch.charCodeAt(0), fallback);`,
      `    this.cache.set(key, value);`,
      `    return value;`,
      `  }`,
    );
  }
  out.push(`}`);
  return out;
}

function viewLines(S: string, useState: string, rng: Rng): string[] {
  const items = rng.int(1, 4);
  return [
    `export function ${S}View(props: { title: string; items: readonly string[] }) {`,
    `  const [open, setOpen] = ${useState}(false);`,
    `  return (`,
    `    <section className="${S.toLowerCase()}">`,
    `      <h2 onClick={() => setOpen(!open)}>{props.title}</h2>`,
    `      {open ? (`,
    `        <ul>`,
    `          {props.items.slice(0, ${items}).map((item) => (`,
    `            <li key={item}>{item}</li>`,
    `          ))}`,
    `        </ul>`,
    `      ) : null}`,
    `    </section>`,
    `  );`,
    `}`,
  ];
}
