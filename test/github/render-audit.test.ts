import { describe, expect, it } from "vitest";
import { detectDecay } from "../../src/core/drift.js";
import { MAX_OUTPUT_CHARS } from "../../src/github/check-run-limits.js";
import { renderAudit, renderDashboard, sparkline } from "../../src/github/render-audit.js";
import { audit, H, inv, push, T0, waiver } from "../core/drift-fixtures.js";

const now = new Date(T0 + 10 * H);
const history = [
  audit(0, [inv("core-is-pure", { matched: 100, open: 0 }), inv("no-console", { matched: 8, open: 1 })]),
  audit(1, [inv("core-is-pure", { matched: 90, open: 0 }), inv("no-console", { matched: 8, open: 2 })]),
  audit(2, [inv("core-is-pure", { matched: 20, open: 0 }), inv("no-console", { matched: 0, open: 3 })], { waivers: [waiver("orphaned", "src/gone/**", "no-console")] }),
  ...[3, 4, 5].map((h) => push(h, "claude/x", "claude-code", [inv("core-is-pure", { fps: ["f00dbabe00"] })])),
];

describe("renderAudit", () => {
  it("lists signals, trends and loop chains", () => {
    const signals = detectDecay(history, { invariants: [] }, now);
    const r = renderAudit({ signals, history });
    expect(r.conclusion).toBe("neutral");
    expect(r.title).toBe("5 decay signals: 1 vacuous, 1 shrinking coverage, 1 waiver rot, 1 eroding, 1 violation loop");
    expect(r.summary).toContain("| vacuous | `no-console` | `main` | 2026-03-01 |");
    expect(r.summary).toContain("| `core-is-pure` | block | `█▇▁` | 20 files (max 100) | `▁▁▁` | 0 |");
    expect(r.summary).toContain("| `no-console` | block | `██▁` | 0 files (max 8) | `▁▅█` | 3 |");
    expect(r.text).toContain("<details><summary>core-is-pure on claude/x: repeated, 3 pushes</summary>");
    expect(r.text).toContain("| claude-code | `f00dbabe` |");
    expect(r.annotations).toEqual([]);

    const body = renderDashboard({ signals, history, now });
    expect(body).toMatch(/^# 5 decay signals/);
    expect(body).toContain("_Updated 2026-03-01 10:00 UTC");
    expect(body).toContain("## Trends");
    expect(body).toContain("## Violation loops");
  });

  it("says so when nothing decayed", () => {
    const r = renderAudit({ signals: [], history: history.slice(0, 1) });
    expect(r).toMatchObject({ conclusion: "success", title: expect.stringContaining("No decay") });
    expect(r.summary).toContain("Nothing decayed.");
  });

  it("stays inside GitHub's limit in summary, text and dashboard", () => {
    const long = Array.from({ length: 3000 }, (_, h) => push(h, "codex/y", "codex", [inv("core-is-pure", { fps: [`fp${h % 7}`, "stuck0000"] })]));
    const signals = detectDecay([...history, ...long], { invariants: [] }, new Date(T0 + 3001 * H), { windowMs: 10_000 * H });
    const r = renderAudit({ signals, history: [...history, ...long] });
    expect(r.summary.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(r.text.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(r.summary).toContain("## Decay signals");
    expect(r.summary).toContain("## Trends");
    expect(r.text).toContain("truncated");
    const body = renderDashboard({ signals, history: [...history, ...long], now });
    expect(body.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(body).toContain("## Trends");
  });
});

describe("sparkline", () => {
  it.each([
    [[1, 2, 3], "▁▅█"],
    [[0, 0], "▁▁"],
    [[4, 4], "▄▄"],
    [[null, 2, 8], "·▁█"],
  ])("%j", (values, expected) => expect(sparkline(values)).toBe(expected));
});
