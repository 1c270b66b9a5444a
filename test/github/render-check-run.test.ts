import { describe, expect, it } from "vitest";
import type { Finding, InvariantReport, Notice } from "../../src/core/finding.js";
import { MAX_OUTPUT_CHARS } from "../../src/github/check-run-limits.js";
import { capAnnotations, renderCheckRun, type RenderCheckRunInput } from "../../src/github/render-check-run.js";
import { consoleLines, outcomeOf, POLICY, verdictOf, type VerdictOutcome } from "./check-outcomes.js";

const SHA = "a".repeat(40);
const NEXT = "b".repeat(40);
const render = (outcome: RenderCheckRunInput["outcome"], extra: Partial<RenderCheckRunInput> = {}) => renderCheckRun({ outcome, headSha: SHA, trigger: "push", ...extra });

/** Every annotation must be acceptable to GitHub: a real file path and lines ≥ 1. */
function expectValidAnnotations(r: ReturnType<typeof renderCheckRun>) {
  for (const a of r.annotations) {
    expect(a.start_line).toBeGreaterThanOrEqual(1);
    expect(a.end_line).toBe(a.start_line);
    expect(a.path).not.toMatch(/^[a-z-]+:/);
    expect(["notice", "warning", "failure"]).toContain(a.annotation_level);
  }
  expect(r.summary.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
  expect(r.text.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
}

describe("conclusion per outcome", () => {
  it("a passing verdict is success, with the invariant table", async () => {
    const r = render(await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "export const a = 1;\n" }));
    expect(r.conclusion).toBe("success");
    expect(r.title).toBe("All 3 invariants hold");
    expect(r.annotations).toEqual([]);
    expect(r.summary).toContain("Plumbline PASSED");
    expect(r.summary).toMatch(/\| ✅ pass \| `no-console` \| content \| block \| 0 \| 0 \| 1 files \|/);
    expect(r.summary).toContain("`invariants/a.yml`");
    expect(r.summary).toContain(`\`${SHA.slice(0, 12)}\``);
    expectValidAnnotations(r);
  });

  it("a failing verdict is failure; levels follow enforcement; title is the invariant id", async () => {
    const r = render(await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "// FIXME\ndebugger;\nconsole.log(1);\n" }));
    expect(r.conclusion).toBe("failure");
    expect(r.title).toBe("1 blocking finding: no-console");
    expect(r.annotations.map((a) => [a.title, a.annotation_level, a.start_line])).toEqual([
      ["no-console", "failure", 3],
      ["no-debugger", "warning", 2],
      ["no-fixme", "notice", 1],
    ]);
    const [block] = r.annotations;
    expect(block!.path).toBe("src/a.ts");
    expect(block!.message).toContain("matches the forbidden pattern");
    expect(block!.message).toContain("Why: Logs go through the logger.");
    expect(block!.message).toContain("This blocks the merge");
    expect(r.summary).toContain("Plumbline FAILED (1 blocking finding)");
    expect(r.text).toContain("`src/a.ts:3:1` **blocking**");
    expectValidAnnotations(r);
  });

  it("invalid policy fails closed with one failure annotation on each offending YAML line", async () => {
    const bad = "version: 1\ninvariants:\n  - id: x\n    kind: content\n    why: w\n    enforcement: sometimes\n    files: ['src/**']\n    forbid: 'a'\n  - id: y\n    kind: nope\n    why: w\n";
    const outcome = await outcomeOf({ "invariants/a.yml": bad, "src/a.ts": "a\n" });
    expect(outcome.type).toBe("invalid-policy");
    const r = render(outcome);
    expect(r.conclusion).toBe("failure");
    expect(r.title).toMatch(/^Invalid invariant files \(\d+ errors?\)$/);
    expect(r.annotations.length).toBe(outcome.type === "invalid-policy" ? outcome.errors.length : -1);
    const enforcement = r.annotations.find((a) => a.start_line === 6)!;
    expect(enforcement).toMatchObject({ path: "invariants/a.yml", end_line: 6, annotation_level: "failure" });
    expect(enforcement.message).toContain("invariants[0].enforcement");
    expect(enforcement.message).toContain("expected one of the listed values");
    expect(enforcement.message).toContain('allowed: "block", "warn", "observe"');
    expect(r.annotations.some((a) => a.start_line === 10 && a.message.includes("invariants[1].kind"))).toBe(true);
    expect(r.summary).toContain("nothing was evaluated");
    expect(r.summary).toContain("| `invariants/a.yml` | 6 | `invariants[0].enforcement` |");
    expectValidAnnotations(r);
  });

  it("no policy is neutral and explains how to add invariants, with an example that compiles", async () => {
    const r = render(await outcomeOf({ "src/a.ts": "a\n" }));
    expect(r.conclusion).toBe("neutral");
    expect(r.summary).toContain("invariants/*.yml");
    const example = /```yaml\n([\s\S]*?)\n```/.exec(r.summary)![1]!;
    const checked = await outcomeOf({ "invariants/architecture.yml": example + "\n", "src/core/a.ts": "export {};\n" });
    expect(checked.type).toBe("verdict");
  });

  it("an evaluation error fails with the reason, whatever the outcome says", async () => {
    const ok = await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "x\n" });
    const r = render(ok, { error: "GitHub unreachable after 3 retries (ECONNRESET)" });
    expect(r.conclusion).toBe("failure");
    expect(r.title).toContain("GitHub unreachable");
    expect(r.summary).toContain("GitHub unreachable after 3 retries (ECONNRESET)");
    expect(r.summary).toContain("fails closed");
  });

  it.each([
    ["a passing verdict", {}],
    ["an error", { error: "boom" }],
  ])("a superseded run is cancelled, never success (%s)", async (_name, extra) => {
    const ok = await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "x\n" });
    const r = render(ok, { supersededBy: NEXT, ...extra });
    expect(r.conclusion).toBe("cancelled");
    expect(r.title).toBe(`Superseded by ${NEXT.slice(0, 12)}`);
    expect(r.summary).toContain(NEXT);
    expect(r.annotations).toEqual([]);
  });
});

describe("change-aware verdicts", () => {
  it("persisting block findings warn, introduced ones fail; the actor and its signal are shown", async () => {
    const base = { "invariants/a.yml": POLICY, "src/old.ts": "console.log(0);\n" };
    const head = { ...base, "src/new.ts": "console.log(1);\n" };
    const o = await verdictOf(head, { base, actor: { sender: { login: "claude[bot]", id: 209825114, type: "Bot" }, branch: "claude/x" } });
    const r = render(o, { trigger: "pull_request" });
    expect(r.annotations.map((a) => [a.path, a.annotation_level])).toEqual([["src/new.ts", "failure"], ["src/old.ts", "warning"]]);
    expect(r.annotations[1]!.message).toContain("does not block this change");
    expect(r.summary).toMatch(/\| Introduced \| Persisting \| Resolved \|/);
    expect(r.summary).toMatch(/`no-console` \| content \| block \| 1 \| 1 \| 0 \|/);
    expect(r.summary).toMatch(/\*\*Actor\*\* agent `claude-code` \(`claude\[bot\]`\), decided by sender: `claude\[bot\]`/);
    expect(r.summary).toContain("**Trigger** `pull_request`");
  });

  it("lists the policy diff weaker entries first and the weakening notices", async () => {
    const base = { "invariants/a.yml": POLICY, "src/a.ts": "debugger;\n" };
    const weaker = POLICY.replace("    enforcement: warn\n", "    enforcement: observe\n") + "  - id: no-alert\n    kind: content\n    why: No alerts\n    files: ['src/**/*.ts']\n    forbid: 'alert\\('\n";
    const o = await verdictOf({ ...base, "invariants/a.yml": weaker }, { base, actor: { sender: { login: "alice", type: "User" } } });
    const r = render(o);
    const weak = r.summary.indexOf("🔻 weaker");
    const strong = r.summary.indexOf("🔺 stronger");
    expect(weak).toBeGreaterThan(0);
    expect(strong).toBeGreaterThan(weak);
    expect(r.summary).toContain("enforcement warn → observe");
    expect(r.summary).toContain("**policy.weakened**");
  });
});

describe("governance of the governance", () => {
  it("an agent weakening the policy fails on the notice alone, named in the title", async () => {
    const base = { "invariants/a.yml": POLICY, "src/a.ts": "x\n" };
    const head = { ...base, "invariants/a.yml": POLICY.replace("    enforcement: warn\n", "    enforcement: observe\n") };
    const r = render(await verdictOf(head, { base, actor: { sender: { login: "devin-ai-integration[bot]", id: 158243242, type: "Bot" } } }));
    expect(r.conclusion).toBe("failure");
    expect(r.title).toBe("1 failing notice: policy.weakened");
    expect(r.summary).toContain("Plumbline FAILED (1 failing notice)");
    expect(r.summary).toContain("- ❌ **policy.weakened**: policy change weakens `no-debugger`: enforcement warn → observe.");
  });

  it("a change that breaks its own invariant files fails with annotations on the head's YAML lines", async () => {
    const base = { "invariants/a.yml": POLICY, "src/a.ts": "x\n" };
    const head = { ...base, "invariants/a.yml": POLICY.replace("    enforcement: warn\n", "    enforcement: loud\n") };
    const o = await verdictOf(head, { base });
    const r = render(o);
    expect(r.conclusion).toBe("failure");
    expect(r.title).toBe("The change breaks the invariant files (1 error)");
    expect(r.annotations).toEqual([expect.objectContaining({ path: "invariants/a.yml", start_line: 11, annotation_level: "failure", title: "The change breaks this invariant file" })]);
    expect(r.annotations[0]!.message).toContain("invariants[1].enforcement");
    expect(r.summary).toContain("#### The change breaks the invariant files");
  });
});

describe("notices and decay", () => {
  it("vacuous selectors and waiver rot become warning annotations on the YAML line", async () => {
    const policy = POLICY + "waivers:\n  - invariant: no-console\n    path: src/legacy.ts\n    reason: Legacy logger.\n    owner: '@alice'\n    expires: 2020-01-01\n";
    const r = render(await verdictOf({ "invariants/a.yml": policy, "lib/legacy.ts": "x\n" }));
    const vacuous = r.annotations.filter((a) => a.title.includes("coverage.vacuous"));
    expect(vacuous.map((a) => [a.path, a.start_line, a.annotation_level])).toEqual([
      ["invariants/a.yml", 3, "warning"],
      ["invariants/a.yml", 8, "warning"],
      ["invariants/a.yml", 14, "warning"],
    ]);
    const expired = r.annotations.find((a) => a.title.includes("waiver.expired"))!;
    expect(expired).toMatchObject({ path: "invariants/a.yml", annotation_level: "warning" });
    expect(expired.start_line).toBeGreaterThan(19);
    expect(r.summary).toContain("0 files ⚠️ **vacuous**");
    expect(r.summary).toContain("**waiver.expired**");
  });

  it("findings on no file line stay in the summary; the ledger and a violation loop are shown", async () => {
    const o = await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "x\n" });
    const deploy = finding({ invariant: "prod-deploys", kind: "deployment", path: "deployment:production", line: 1, message: "`feature/x` may not deploy to `production`; allowed: the default branch" });
    const noLine = finding({ invariant: "no-console", path: "src/a.ts", line: 0, fingerprint: "f2" });
    const r = render(withVerdict(o, { findings: [deploy, noLine], blocking: [deploy], conclusion: "failure" }), {
      ledger: { entryId: "1732579200000-0", headHash: "c".repeat(64) },
      loop: "the same violation of `no-console` on 3 consecutive pushes by `claude-code`",
    });
    expect(r.annotations).toEqual([]);
    expect(r.summary).toContain("#### Findings without a file line");
    expect(r.summary).toContain("❌ `prod-deploys` at `deployment:production` **blocking**: `feature/x` may not deploy");
    expect(r.summary).toContain("`no-console` at `src/a.ts`");
    expect(r.summary).toContain(`**Ledger** entry \`1732579200000-0\` · chain head \`${"c".repeat(64)}\``);
    expect(r.summary).toContain("**Violation loop**: the same violation");
    expect(r.summary.indexOf("Violation loop")).toBeLessThan(r.summary.indexOf("#### Invariants"));
  });
});

describe("caps", () => {
  it("keeps the most severe annotations up to maxAnnotations and counts the rest", async () => {
    const o = await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "debugger;\n".repeat(30) + consoleLines(120) });
    const r = render(o, { maxAnnotations: 100 });
    expect(r.annotations).toHaveLength(100);
    expect(r.annotations.every((a) => a.annotation_level === "failure")).toBe(true);
    expect(r.annotationsOmitted).toBe(50);
    expect(r.summary).toContain("**50 more annotations not shown**");
    const tighter = capAnnotations(r, 30);
    expect(tighter.annotations).toHaveLength(30);
    expect(tighter.annotationsOmitted).toBe(120);
    expect(tighter.summary).toContain("**120 more annotations not shown**");
    expect(tighter.summary).not.toContain("50 more annotations");
    expect(r.text).toContain("`src/a.ts:150:1` **blocking**");
    expectValidAnnotations(tighter);
  });

  it("caps a huge summary and text at 65,535 characters with a marker, keeping the ledger", async () => {
    const o = await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "x\n" });
    const report = o.verdict.invariants[0]!;
    const invariants: InvariantReport[] = Array.from({ length: 3000 }, (_, i) => ({ ...report, id: `rule-${i}`, status: i % 2 ? "fail" : "pass" }));
    const notices: Notice[] = Array.from({ length: 3000 }, (_, i) => ({ code: "waiver.unneeded", level: "warning", invariant: `rule-${i}`, path: null, line: null, message: `waiver ${i} | `.padEnd(600, "x"), evidence: {} }));
    const findings = Array.from({ length: 3000 }, (_, i) => finding({ invariant: `rule-${i}`, fingerprint: `f${i}`, path: `src/${"deep/".repeat(20)}f${i}.ts`, line: 1, message: "m".repeat(300) }));
    const r = render(withVerdict(o, { invariants, notices, findings, blocking: findings, conclusion: "failure" }), { ledger: { entryId: "9-0", headHash: "d".repeat(64) } });
    expect(r.summary.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(r.summary).toContain("**… truncated**");
    expect(r.summary).toContain(`chain head \`${"d".repeat(64)}\``);
    expect(r.summary).toContain("**2500 more annotations not shown**");
    expect(r.text.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(r.text).toContain("**… truncated**");
    expect(r.annotations).toHaveLength(500);
    // The table puts failing invariants first and says how many it left out.
    expect(r.summary).toContain("| ❌ fail | `rule-1` |");
    expect(r.summary).toContain("more invariants (1250 not passing) not shown");
  });

  it("escapes table cells so a `|` in user text cannot break the table", async () => {
    const o = await verdictOf({ "invariants/a.yml": POLICY, "src/a.ts": "x\n" });
    const r = render(withVerdict(o, { policyDiff: [{ invariant: "no-console", change: "field", direction: "weaker", detail: "forbid: -`a|b`" }] }));
    expect(r.summary).toContain("| 🔻 weaker | `no-console` | forbid: -`a\\|b` |");
  });
});

function finding(over: Partial<Finding>): Finding {
  return {
    invariant: "no-console", kind: "content", enforcement: "block", code: "content.forbidden", path: "src/a.ts", line: 1, column: 1,
    message: "`console.log(` matches the forbidden pattern", why: "Logs go through the logger", evidence: {}, fingerprint: "f1", status: "present", waiver: null,
    ...over,
  };
}

function withVerdict(o: VerdictOutcome, over: Partial<VerdictOutcome["verdict"]>): VerdictOutcome {
  return { ...o, verdict: { ...o.verdict, ...over } };
}
