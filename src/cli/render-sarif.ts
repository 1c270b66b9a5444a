import type { CheckOutcome } from "../check/check-revision.js";
import { ENGINE_VERSION } from "../core/engine-version.js";
import type { Finding } from "../core/finding.js";

const LEVEL = { block: "error", warn: "warning", observe: "note" } as const;
const BASELINE = { introduced: "new", persisting: "unchanged", resolved: "absent", present: undefined } as const;

/** SARIF 2.1.0 for GitHub code scanning: one rule per invariant, one result per open finding. */
export function renderSarif(outcome: CheckOutcome): string {
  const driver = {
    name: "Plumbline",
    version: ENGINE_VERSION,
    informationUri: "https://github.com/plumbline/plumbline",
    rules: [] as unknown[],
  };
  const results: unknown[] = [];
  if (outcome.type === "verdict") {
    const v = outcome.verdict;
    driver.rules = v.invariants.map((r) => ({
      id: r.id,
      name: r.id,
      shortDescription: { text: `${r.kind}: ${r.id}` },
      fullDescription: { text: r.why },
      help: { text: r.why },
      defaultConfiguration: { level: LEVEL[r.enforcement] },
      properties: { kind: r.kind, owner: r.owner ?? undefined },
    }));
    for (const f of v.findings) if (!f.waiver && f.status !== "resolved") results.push(result(f));
  } else if (outcome.type === "invalid-policy") {
    driver.rules = [{ id: "plumbline/invalid-policy", shortDescription: { text: "Invalid invariant file" }, defaultConfiguration: { level: "error" } }];
    for (const e of outcome.errors) {
      results.push({
        ruleId: "plumbline/invalid-policy",
        level: "error",
        message: { text: `${e.field ? `${e.field}: ` : ""}expected ${e.expected}${e.allowed ? ` (allowed: ${e.allowed})` : ""}` },
        locations: [location(e.file, e.line, e.column)],
      });
    }
  }
  return JSON.stringify(
    {
      $schema: "https://json.schemastore.org/sarif-2.1.0.json",
      version: "2.1.0",
      runs: [{ tool: { driver }, results, columnKind: "utf16CodeUnits" }],
    },
    null,
    2,
  );
}

function result(f: Finding): unknown {
  const baselineState = BASELINE[f.status];
  return {
    ruleId: f.invariant,
    level: LEVEL[f.enforcement],
    message: { text: `${f.message} (why: ${f.why})` },
    locations: [location(f.path, f.line, f.column)],
    partialFingerprints: { "plumbline/v1": f.fingerprint },
    ...(baselineState ? { baselineState } : {}),
    properties: { code: f.code, kind: f.kind, status: f.status },
  };
}

function location(path: string, line: number, column: number): unknown {
  return {
    physicalLocation: {
      artifactLocation: { uri: path, uriBaseId: "%SRCROOT%" },
      region: { startLine: Math.max(1, line), startColumn: Math.max(1, column) },
    },
  };
}
