import type { LedgerEntry } from "../core/ledger.js";

/** How far `ledger show` trusts what it prints: it checks the entry itself, not the chain. */
export type EntrySeal = "valid" | "invalid" | "unchecked";

/**
 * `ledger show` in words: who acted and how we know, which policy judged, what each invariant
 * said, what blocked, and what GitHub was told. Pure text; the command prints it.
 */
export function renderLedgerEntry(streamId: string, e: LedgerEntry, seal: EntrySeal, keyId: string | null): string {
  const out: string[] = [];
  const sealText =
    seal === "valid" ? `signature valid (key ${e.keyId})` : seal === "invalid" ? `SIGNATURE OR HASH INVALID (signed by key ${e.keyId}${keyId ? `, checked with ${keyId}` : ""}): do not trust this entry; run \`plumbline ledger verify\`` : "signature not checked (no LEDGER_KEY)";
  out.push(`entry ${e.seq} · stream id ${streamId} · ${e.at} · ${sealText}`);
  out.push(row("decision", `${e.checkRun.conclusion}  (check run ${e.checkRun.id ?? `with external id ${e.checkRun.externalId ?? "(not recorded)"}`}; ${outcomeText(e)})`));
  out.push(row("trigger", `${e.trigger} · delivery ${e.deliveryId}`));
  out.push(row("repository", `${e.repoName ?? "(name not recorded)"} · id ${e.repoId} · installation ${e.installationId}`));
  out.push(row("commit", `${e.headSha}${e.ref ? ` on ${e.ref}` : ""}${e.baseSha ? ` · base ${e.baseSha}` : " · no base (judged alone)"}`));
  out.push(row("actor", actorText(e)));
  if (e.policy) {
    out.push(row("policy", `digest ${e.policy.digest} · engine ${e.policy.engine} · ${e.policy.files.length} file(s)`));
    for (const f of e.policy.files) out.push(`${" ".repeat(14)}${f.path}  ${f.sha}`);
  } else out.push(row("policy", "none compiled"));
  if (e.results.length) {
    out.push(row("results", ""));
    for (const r of e.results) {
      const counts = [`${r.counts.introduced} introduced`, `${r.counts.persisting} persisting`, `${r.counts.present} present`, `${r.counts.resolved} resolved`, `${r.counts.waived} waived`].filter((c) => !c.startsWith("0 ")).join(", ") || "no findings";
      out.push(`    ${r.status.toUpperCase().padEnd(5)} ${r.invariant} (${r.kind}, ${r.enforcement}) · ${counts} · coverage ${r.coverage.matched} ${r.coverage.unit} · evidence ${r.evidenceDigest.slice(0, 16)}`);
    }
  }
  if (e.blockingTotal > 0) {
    out.push(row("blocking", `${e.blockingTotal} finding(s)${e.blockingTotal > e.blocking.length ? `, first ${e.blocking.length} recorded` : ""}`));
    for (const b of e.blocking) out.push(`    ${b.invariant}  ${b.path}:${b.line}  ${b.code}  (fingerprint ${b.fingerprint})`);
  }
  for (const n of e.failingNotices) out.push(row("failed by", `${n.code}${n.invariant ? ` (${n.invariant})` : ""}`));
  for (const w of e.waiversApplied) out.push(row("waiver", `${w.invariant} on ${w.path} · owner ${w.owner} · expires ${w.expires} · used ${w.used}×`));
  const timings = Object.entries(e.timings).map(([k, v]) => `${k} ${v} ms`);
  if (timings.length) out.push(row("timings", timings.join(" · ")));
  out.push(row("chain", `prev ${e.prevHash} → hash ${e.hash}`));
  return out.join("\n");
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(11)} ${value}`.trimEnd();
}

function outcomeText(e: LedgerEntry): string {
  switch (e.outcome) {
    case "verdict":
      return `${e.results.length} invariant(s) evaluated`;
    case "invalid-policy":
      return "the invariant files did not compile";
    case "no-policy":
      return "no invariant files";
    case "error":
      return "the evaluation could not finish";
    case "deployment":
      return `deployment answered: ${e.checkRun.conclusion} (workflow run ${e.checkRun.id})`;
  }
}

function actorText(e: LedgerEntry): string {
  const a = e.actor;
  if (!a) return "not classified";
  if (a.signal === "default") return `human${a.login ? ` (login ${a.login})` : ""} — no agent signal matched`;
  const who = a.class === "agent" ? `agent ${a.agent ?? "(unnamed)"}` : "human";
  const strength = a.forgeable ? "a forgeable signal" : "an authenticated signal";
  return `${who}${a.login ? ` (login ${a.login})` : ""} — decided by ${a.signal}, ${strength}: ${a.evidence}`;
}
