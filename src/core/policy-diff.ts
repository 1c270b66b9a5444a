import type { CompiledPolicy } from "./compile.js";
import type { Enforcement } from "./invariant-base.js";

export interface PolicyDiffEntry {
  readonly invariant: string;
  readonly change: "added" | "removed" | "enforcement" | "field" | "waiver-added" | "waiver-removed" | "waiver-extended";
  /** weaker: the new policy lets more through; stronger: less; neutral: cannot tell. */
  readonly direction: "weaker" | "stronger" | "neutral";
  readonly detail: string;
}

const RANK: Record<Enforcement, number> = { observe: 0, warn: 1, block: 2 };

/**
 * Fields whose entries each add a prohibition (removing one weakens the rule) versus fields
 * whose entries each add an exemption (adding one weakens it). Anything else is "neutral":
 * reported, never guessed at.
 */
const PROHIBITING = new Set(["forbid", "packages", "deny", "patterns", "modules", "require", "from", "files", "environments", "freeze"]);
const EXEMPTING = new Set(["allow", "exclude"]);

/** What a change to the invariant files does to the policy: the governance of the governance. */
export function diffPolicies(base: CompiledPolicy, head: CompiledPolicy): PolicyDiffEntry[] {
  const out: PolicyDiffEntry[] = [];
  const before = new Map(base.invariants.map((i) => [i.header.id, i]));
  const after = new Map(head.invariants.map((i) => [i.header.id, i]));
  for (const [id, b] of before) {
    const a = after.get(id);
    if (!a) {
      out.push({ invariant: id, change: "removed", direction: "weaker", detail: `the ${b.header.kind} invariant was removed` });
      continue;
    }
    if (a.header.kind !== b.header.kind) {
      out.push({ invariant: id, change: "field", direction: "neutral", detail: `kind changed from ${b.header.kind} to ${a.header.kind}` });
      continue;
    }
    const eb = RANK[b.header.enforcement];
    const ea = RANK[a.header.enforcement];
    if (eb !== ea) out.push({ invariant: id, change: "enforcement", direction: ea < eb ? "weaker" : "stronger", detail: `enforcement ${b.header.enforcement} → ${a.header.enforcement}` });
    const keys = new Set([...Object.keys(b.input), ...Object.keys(a.input)]);
    for (const key of [...keys].sort()) {
      if (["id", "kind", "enforcement", "why", "owner"].includes(key)) continue;
      const vb = b.input[key];
      const va = a.input[key];
      if (JSON.stringify(vb) === JSON.stringify(va)) continue;
      out.push(fieldChange(id, key, vb, va));
    }
  }
  for (const [id, a] of after) {
    if (!before.has(id)) out.push({ invariant: id, change: "added", direction: "stronger", detail: `new ${a.header.kind} invariant` });
  }
  const waiverKey = (w: { invariant: string; path: string }) => `${w.invariant}\u0000${w.path}`;
  const wb = new Map(base.waivers.map((w) => [waiverKey(w), w]));
  const wa = new Map(head.waivers.map((w) => [waiverKey(w), w]));
  for (const [k, w] of wa) {
    const old = wb.get(k);
    if (!old) out.push({ invariant: w.invariant, change: "waiver-added", direction: "weaker", detail: `waiver added for \`${w.path}\` until ${w.expires} (${w.reason})` });
    else if (w.expires > old.expires) out.push({ invariant: w.invariant, change: "waiver-extended", direction: "weaker", detail: `waiver for \`${w.path}\` extended from ${old.expires} to ${w.expires}` });
  }
  for (const [k, w] of wb) {
    if (!wa.has(k)) out.push({ invariant: w.invariant, change: "waiver-removed", direction: "stronger", detail: `waiver for \`${w.path}\` removed` });
  }
  return out;
}

/** Scalar switches whose direction is known: `[weaker value, stronger value]`. */
const SWITCHES: Record<string, readonly [unknown, unknown]> = {
  cycles: ["allow", "forbid"],
  typeOnly: ["ignore", "count"],
};

function fieldChange(id: string, key: string, before: unknown, after: unknown): PolicyDiffEntry {
  const sw = SWITCHES[key];
  if (sw) {
    const direction = after === sw[0] ? "weaker" : after === sw[1] ? "stronger" : "neutral";
    return { invariant: id, change: "field", direction, detail: `${key}: ${JSON.stringify(before) ?? "unset"} → ${JSON.stringify(after) ?? "unset"}` };
  }
  // An allow-list is a whitelist: introducing one restricts, dropping one frees everything.
  if (key === "allow" && (before === undefined) !== (after === undefined)) {
    return { invariant: id, change: "field", direction: before === undefined ? "stronger" : "weaker", detail: before === undefined ? "allow-list introduced" : "allow-list removed" };
  }
  const lb = asList(before);
  const la = asList(after);
  if (lb && la) {
    const removed = lb.filter((x) => !la.includes(x));
    const added = la.filter((x) => !lb.includes(x));
    const parts = [added.length ? `+${added.map((x) => `\`${x}\``).join(", ")}` : "", removed.length ? `-${removed.map((x) => `\`${x}\``).join(", ")}` : ""].filter(Boolean).join(" ");
    let direction: PolicyDiffEntry["direction"] = "neutral";
    if (PROHIBITING.has(key)) direction = removed.length && !added.length ? "weaker" : added.length && !removed.length ? "stronger" : removed.length ? "weaker" : "neutral";
    if (EXEMPTING.has(key)) direction = added.length && !removed.length ? "weaker" : removed.length && !added.length ? "stronger" : added.length ? "weaker" : "neutral";
    return { invariant: id, change: "field", direction, detail: `${key}: ${parts}` };
  }
  return { invariant: id, change: "field", direction: "neutral", detail: `${key}: ${JSON.stringify(before) ?? "unset"} → ${JSON.stringify(after) ?? "unset"}` };
}

function asList(v: unknown): string[] | null {
  if (v === undefined) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  if (Array.isArray(v)) return v.map((x) => JSON.stringify(x));
  return null;
}
