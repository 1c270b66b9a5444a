import { formatParity } from "./compare-edges.js";
import type { Row, TargetReport } from "./scenarios.js";

/**
 * The printed report: one table per repository, every row against dependency-cruiser on the
 * same tree, then violations, edge parity and the issue's targets as PASS/FAIL lines.
 * Speed ratio = dependency-cruiser wall / row wall (higher is faster); memory ratio =
 * row peak / dependency-cruiser peak (lower is leaner).
 */

const COLS = { label: 44, wall: 9, mem: 10, speed: 15, memRatio: 10 };

export function renderReport(r: TargetReport, runs: number): string {
  const t = r.target;
  const dc = "m" in r.depcruise ? r.depcruise.m : null;
  const out: string[] = [
    "",
    `== ${t.label}: ${t.sourceFiles} source files${t.planted === null ? "" : `, ${t.planted} planted violations`} ==`,
    `   ${t.dir}`,
    ...t.notes.map((n) => `   ${n}`),
    [pad("", COLS.label), lpad("wall s", COLS.wall), lpad("peak MiB", COLS.mem), lpad("vs depcruise", COLS.speed), lpad("mem ratio", COLS.memRatio)].join(" "),
  ];
  for (const row of [r.floor, r.depcruise, ...r.plumbline]) out.push(renderRow(row, row === r.depcruise ? "self" : dc));
  out.push(`   wall = median of ${runs} run(s); peak = largest of them`);
  if (r.plumblinePhases) out.push(`plumbline cold phases (its own timings, ms): ${r.plumblinePhases}`);

  const v = r.violations;
  out.push(`violations: dependency-cruiser ${v.depcruise ?? "?"}, plumbline ${v.plumbline ?? "?"}${t.planted === null ? "" : ` (planted ${t.planted})`}`);
  out.push(...(r.parity.ok ? formatParity(r.parity.parity) : [`edges: not compared (${r.parity.reason})`]));
  out.push(...verdicts(r));
  return out.join("\n");
}

function renderRow(row: Row, dc: { medianWallMs: number; peakKb: number | null } | "self" | null): string {
  if ("unavailable" in row) return `${pad(row.label, COLS.label)} unavailable (${row.unavailable})`;
  const m = row.m;
  // "self": dependency-cruiser's own row; null: it did not run, so there is nothing to compare with.
  const base = dc === "self" || dc === null ? null : dc;
  const speed = base ? `${(base.medianWallMs / m.medianWallMs).toFixed(1)}× faster` : dc === "self" ? "baseline" : "–";
  const mem = base?.peakKb && m.peakKb ? `${(m.peakKb / base.peakKb).toFixed(2)}×` : dc === "self" ? "baseline" : "–";
  return [
    pad(row.label, COLS.label),
    lpad((m.medianWallMs / 1000).toFixed(2), COLS.wall),
    lpad(m.peakKb === null ? "?" : (m.peakKb / 1024).toFixed(0), COLS.mem),
    lpad(speed, COLS.speed),
    lpad(mem, COLS.memRatio),
  ].join(" ");
}

/** The issue's acceptance targets, stated with the numbers that decide them. */
function verdicts(r: TargetReport): string[] {
  const cold = r.plumbline[0];
  if (!cold || !("m" in cold) || !("m" in r.depcruise)) return ["targets: not evaluated (a tool did not run)"];
  const dc = r.depcruise.m;
  const speed = dc.medianWallMs / cold.m.medianWallMs;
  const lines = [`target ≥10× faster than dependency-cruiser cold: ${speed >= 10 ? "PASS" : "FAIL"} (${speed.toFixed(1)}×)`];
  if (dc.peakKb !== null && cold.m.peakKb !== null) {
    const ok = cold.m.peakKb <= dc.peakKb;
    lines.push(`target peak memory ≤ dependency-cruiser: ${ok ? "PASS" : "FAIL"} (${mb(cold.m.peakKb)} vs ${mb(dc.peakKb)})`);
  }
  if (r.parity.ok) {
    const p = r.parity.parity;
    const same = p.onlyDepcruise.length === 0 && p.onlyPlumbline.length === 0;
    lines.push(`target same edges found: ${same ? "PASS" : "FAIL"} (${p.onlyDepcruise.length} only in dependency-cruiser, ${p.onlyPlumbline.length} only in plumbline)`);
  }
  return lines;
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : " ".repeat(n - s.length) + s);
