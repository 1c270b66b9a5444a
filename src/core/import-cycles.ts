/**
 * Elementary import cycles among a set of modules, each reported once. Enumerating every
 * elementary cycle is exponential, so this finds, for each edge inside a strongly connected
 * component, the shortest cycle through it, and keeps the distinct ones: every module in a
 * cycle is covered, and a new loop shows up as a new cycle. Pure and deterministic: nodes
 * and successors are visited in sorted order, and each cycle is rotated to start at its
 * smallest path.
 */

/** A cycle as a node list; the closing edge runs from the last node back to the first. */
export type Cycle = readonly string[];

const MAX_CYCLES = 1000;
/** Bounds the work on one huge component (each seed edge costs a breadth-first search). */
const MAX_SEEDS_PER_COMPONENT = 5000;

export function findCycles(successors: ReadonlyMap<string, ReadonlySet<string>>): Cycle[] {
  const nodes = [...successors.keys()].sort();
  const sorted = new Map<string, string[]>();
  for (const n of nodes) sorted.set(n, [...(successors.get(n) ?? [])].filter((m) => successors.has(m)).sort());

  const cycles = new Map<string, Cycle>();
  for (const component of stronglyConnected(nodes, sorted)) {
    const inside = new Set(component);
    let seeds = 0;
    for (const u of component) {
      for (const v of sorted.get(u)!) {
        if (!inside.has(v)) continue;
        if (++seeds > MAX_SEEDS_PER_COMPONENT || cycles.size >= MAX_CYCLES) break;
        const path = u === v ? [u] : shortestPath(v, u, sorted, inside);
        if (path === null) continue;
        const cycle = canonical(path);
        const key = cycle.join("\0");
        if (!cycles.has(key)) cycles.set(key, cycle);
      }
    }
  }
  return [...cycles.values()].sort((a, b) => (a.join("\0") < b.join("\0") ? -1 : 1));
}

/** Rotates so the smallest node comes first: the same loop found from any edge compares equal. */
function canonical(path: readonly string[]): Cycle {
  let min = 0;
  for (let i = 1; i < path.length; i++) if (path[i]! < path[min]!) min = i;
  return [...path.slice(min), ...path.slice(0, min)];
}

/** Nodes from `from` to `to` inclusive, restricted to `inside`; the edge to→from closes it. */
function shortestPath(from: string, to: string, succ: ReadonlyMap<string, readonly string[]>, inside: ReadonlySet<string>): string[] | null {
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const n = queue[head]!;
    if (n === to) {
      const out: string[] = [];
      for (let c: string | null = n; c !== null; c = parent.get(c) ?? null) out.push(c);
      return out.reverse();
    }
    for (const m of succ.get(n) ?? []) {
      if (!inside.has(m) || parent.has(m)) continue;
      parent.set(m, n);
      queue.push(m);
    }
  }
  return null;
}

/** Tarjan's algorithm, iterative so a long import chain cannot overflow the stack; components with a loop only. */
function stronglyConnected(nodes: readonly string[], succ: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = succ.get(frame.node)!;
      if (frame.next < children.length) {
        const child = children[frame.next++]!;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, next: 0 });
        } else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        for (;;) {
          const n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
          if (n === frame.node) break;
        }
        if (component.length > 1 || children.includes(frame.node)) out.push(component.sort());
      }
    }
  }
  return out;
}
