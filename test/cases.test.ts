import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRevision } from "../src/check/check-revision.js";
import type { ActorSignals } from "../src/core/actor.js";
import { dirFileSource } from "../src/snapshot/dir-file-source.js";

/** Runs every fixture suite under test/cases/<kind>/<case>/ (format: test/cases/README.md). */

interface Expected {
  exit?: number;
  findings: Array<{ invariant: string; code: string; path: string; line: number; status?: string }>;
  coverage?: Record<string, number>;
  errors?: Array<{ file: string; line: number; contains?: string }>;
}
interface CaseFile {
  description: string;
  actor?: ActorSignals;
  deployment?: { environment: string; ref: string; sha?: string; defaultBranch: string; invariantsPass: boolean | null; at: string };
  now?: string;
  expect: Expected;
}

const root = join(import.meta.dirname, "cases");
const kindDirs = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory());

describe.each(kindDirs.map((d) => d.name))("fixture suite %s", (kind) => {
  const cases = readdirSync(join(root, kind), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  it.each(cases)("%s", async (name) => {
    const dir = join(root, kind, name);
    const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as CaseFile;
    expect(spec.description, "case.json needs a description").toBeTruthy();
    const hasBase = existsSync(join(dir, "base"));
    const outcome = await checkRevision({
      head: dirFileSource(join(dir, "repo"), { label: "head" }),
      base: hasBase ? dirFileSource(join(dir, "base"), { label: "base" }) : null,
      actor: spec.actor ?? null,
      now: new Date(spec.now ?? "2026-11-26T00:00:00Z"),
      deployment: spec.deployment ? { sha: "0".repeat(40), ...spec.deployment } : null,
    });

    if (spec.expect.errors) {
      expect(outcome.type, JSON.stringify(outcome, null, 2).slice(0, 2000)).toBe("invalid-policy");
      if (outcome.type !== "invalid-policy") return;
      for (const e of spec.expect.errors) {
        const hit = outcome.errors.find((x) => x.file === e.file && x.line === e.line && (!e.contains || `${x.field} ${x.expected} ${x.allowed ?? ""}`.includes(e.contains)));
        expect(hit, `error at ${e.file}:${e.line} containing ${e.contains}; got ${JSON.stringify(outcome.errors)}`).toBeTruthy();
      }
      return;
    }
    expect(outcome.type, JSON.stringify(outcome).slice(0, 2000)).toBe("verdict");
    if (outcome.type !== "verdict") return;
    const v = outcome.verdict;
    const shape = (f: { invariant: string; code: string; path: string; line: number; status?: string }, withStatus: boolean) =>
      `${f.invariant} ${f.code} ${f.path}:${f.line}${withStatus && f.status ? ` ${f.status}` : ""}`;
    const withStatus = spec.expect.findings.some((f) => f.status !== undefined);
    const actual = [
      ...v.findings.filter((f) => !f.waiver).map((f) => shape(f, withStatus)),
      ...v.notices.filter((n) => n.code === "snapshot.unparsable").map((n) => shape({ invariant: "snapshot", code: n.code, path: n.path ?? "", line: n.line ?? 0, status: "present" }, false)),
    ].sort();
    const expected = spec.expect.findings.map((f) => shape(f, withStatus)).sort();
    expect(actual).toEqual(expected);
    for (const [id, n] of Object.entries(spec.expect.coverage ?? {})) {
      const report = v.invariants.find((r) => r.id === id);
      expect(report, `invariant ${id} in the report`).toBeTruthy();
      expect(report!.coverage.matched, `coverage of ${id}`).toBe(n);
    }
    if (spec.expect.exit !== undefined) expect(v.conclusion === "failure" ? 1 : 0).toBe(spec.expect.exit);
  });
});
