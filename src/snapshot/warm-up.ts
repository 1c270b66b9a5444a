import { performance } from "node:perf_hooks";
import { nestingOverflowAt } from "./nesting-depth.js";
import { scanModuleRecord } from "./scan-module.js";
import { JSX_PATH } from "./syntax-verdict.js";

/**
 * Runs the nesting guard and the record scan over a small sample while a thread would otherwise wait, so V8 has
 * compiled it to optimised code by the time real files arrive. A cold `plumbline check` starts
 * its parse threads before `git cat-file` has read the tree (~100–150 ms for 1k loose blobs);
 * without this the scan spends its first ~500 files in the interpreter, at ~2.5× the cost per
 * file (measured: 1k files, 140 ms cold vs 53 ms warm on one thread).
 *
 * A parse worker has nothing else to do, so it warms up at once (`whenIdle: false`). The main
 * thread is still loading and listing when the pool starts, so it warms up only in slices of
 * the event loop that were mostly idle (waiting for git); a busy thread is never slowed.
 * Work runs in ~2 ms slices; it stops on `stop()` or after `budgetMs` of warm-up work.
 */
export function startWarmUp(opts: { whenIdle: boolean; budgetMs?: number }): { stop(): void } {
  let left = opts.budgetMs ?? 60;
  let stopped = false;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let last = performance.eventLoopUtilization();
  const slice = (): void => {
    if (stopped) return;
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (!opts.whenIdle || busy < 0.5) {
      const start = performance.now();
      while (performance.now() - start < 2) {
        // The nesting guard reads every file before the scan does (extract-imports.ts).
        for (const [path, text] of WARM_UP_SAMPLES) {
          nestingOverflowAt(text, JSX_PATH.test(path));
          scanModuleRecord(path, text);
        }
      }
      left -= performance.now() - start;
      last = performance.eventLoopUtilization();
    }
    if (left > 0) schedule();
  };
  // A timer, unreferenced, never keeps the main thread's process alive. A worker (which its
  // pool unrefs) runs slices back to back: an unreferenced immediate would not run until
  // some other event woke its loop.
  const schedule = (): void => {
    if (opts.whenIdle) timer = setTimeout(slice, 4).unref();
    else timer = setImmediate(slice);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (opts.whenIdle) clearTimeout(timer as NodeJS.Timeout | undefined);
      else clearImmediate(timer as NodeJS.Immediate | undefined);
    },
  };
}

const TS_SAMPLE = `/**
 * A service module: the shapes real files have, so the scan's hot paths get feedback.
 */
import { alpha, type Beta, gamma as g } from "../core/alpha.js";
import type { Delta } from "@scope/delta";
import * as ns from "./ns";
import Default, { epsilon } from "epsilon";
import "./side-effect";
export * from "./barrel";
export { zeta, type Eta } from "./zeta";

export interface Shape<T> {
  id: string;
  count: number; // a comment
  tags: readonly T[];
}

export const table = { name: "table", deps: [] as const, weight: 175, re: /a[/]b\\/c/g };

export async function run(input: Shape<string>, n = 0x1f, e = 1e-3): Promise<number> {
  let total = input.count / 2 + n * e;
  for (const tag of input.tags) {
    if (tag.length > 6) total += tag.charCodeAt(5) % 64;
    total += \`\${tag}-\${total}\`.length + (input.id!.length ?? 0);
  }
  const mod = await import("./lazy.js");
  const legacy = require("legacy");
  return total + mod.value + legacy.value + alpha(g, epsilon, ns.x, Default);
}

export class Service<K extends string = string> {
  private readonly cache = new Map<K, number>();
  method(key: K, fallback = 0): number {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit * 2;
    const value = key.split("").reduce((acc, ch) => acc + ch.charCodeAt(0), fallback);
    this.cache.set(key, value);
    return value;
  }
}
export default Service;
`;

const TSX_SAMPLE = `import { useState } from "react";
export function View(props: { title: string; items: readonly string[] }) {
  const [open, setOpen] = useState(false);
  return (
    <section className="view" data-x={1}>
      <h2 onClick={() => setOpen(!open)}>{props.title}</h2>
      {open ? (
        <ul>
          {props.items.slice(0, 3).map((item) => (
            <li key={item}>{item} items</li>
          ))}
        </ul>
      ) : null}
      <></>
    </section>
  );
}
`;

export const WARM_UP_SAMPLES: ReadonlyArray<readonly [string, string]> = [
  ["sample.ts", TS_SAMPLE],
  ["sample.tsx", TSX_SAMPLE],
];
