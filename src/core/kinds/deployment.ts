import { z } from "zod";
import { CompileError } from "../compile-error.js";
import { compileGlob, type Glob } from "../glob.js";
import { baseFields, type InvariantHeader } from "../invariant-base.js";
import { headerOf, type DeploymentRequest, type KindModule, type RawFinding } from "../kind.js";

/** A zone is required: a window without one would start at a different instant on every machine. */
const instant = z.iso.datetime({ offset: true });

export const deploymentSchema = z
  .strictObject({
    ...baseFields,
    kind: z.literal("deployment"),
    environments: z.array(z.string().min(1)).min(1).describe("Globs over environment names (case-insensitive, like GitHub's), e.g. `production` or `prod-*`."),
    require: z
      .strictObject({
        ref: z
          .union([z.literal("default-branch"), z.array(z.string().min(1)).min(1)])
          .optional()
          .describe("`default-branch`, or ref globs such as `refs/tags/v*` or `release/*`. Omitted: any ref."),
        invariants: z.enum(["pass", "any"]).default("pass").describe("`pass`: every block invariant must pass on the deployed SHA (unknown counts as failing)."),
        actor: z.enum(["human", "agent", "any"]).default("any").describe("Who may request the deployment."),
      })
      .default({ invariants: "pass", actor: "any" })
      .describe("What a deployment to these environments needs."),
    freeze: z
      .array(
        z.strictObject({
          from: instant.describe("Start of the freeze (ISO 8601 with a zone, inclusive)."),
          to: instant.describe("End of the freeze (ISO 8601 with a zone, exclusive)."),
          reason: z.string().min(1).max(500).describe("Shown to whoever is turned away."),
        }),
      )
      .default([])
      .describe("Windows in which no deployment to these environments is allowed."),
  })
  .describe("Which refs, actors and invariant states may deploy to an environment.");

export type DeploymentInput = z.infer<typeof deploymentSchema>;

export type RefRule = { readonly type: "any" } | { readonly type: "default-branch" } | { readonly type: "globs"; readonly globs: readonly Glob[] };

export interface FreezeWindow {
  readonly from: string;
  readonly to: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly reason: string;
}

export interface CompiledDeployment extends InvariantHeader {
  readonly environments: readonly Glob[];
  readonly ref: RefRule;
  readonly invariants: "pass" | "any";
  readonly actor: "human" | "agent" | "any";
  readonly freeze: readonly FreezeWindow[];
}

function compileFreeze(input: DeploymentInput["freeze"]): FreezeWindow[] {
  return input.map((w, i) => {
    const fromMs = Date.parse(w.from);
    const toMs = Date.parse(w.to);
    if (Number.isNaN(fromMs)) throw new CompileError(["freeze", i, "from"], `a real ISO 8601 instant, got \`${w.from}\``, "e.g. `2026-12-20T00:00:00Z`");
    if (Number.isNaN(toMs)) throw new CompileError(["freeze", i, "to"], `a real ISO 8601 instant, got \`${w.to}\``, "e.g. `2027-01-04T00:00:00Z`");
    if (fromMs >= toMs) throw new CompileError(["freeze", i, "to"], `an end after the start (\`${w.from}\`), got \`${w.to}\``, "`to` must be later than `from`");
    return { from: w.from, to: w.to, fromMs, toMs, reason: w.reason };
  });
}

/**
 * The names a requested ref may be matched under. A fully qualified ref (`refs/tags/v1`) matches
 * globs written either way; a bare ref (`v1`) only matches bare globs, because whether it is a
 * branch or a tag is unknown and a branch named like a release tag must not pass as one.
 */
function refNames(ref: string): string[] {
  for (const prefix of ["refs/heads/", "refs/tags/"]) {
    if (ref.startsWith(prefix)) return [ref, ref.slice(prefix.length)];
  }
  return [ref];
}

function refAllowed(rule: RefRule, req: DeploymentRequest): boolean {
  if (rule.type === "any") return true;
  if (rule.type === "default-branch") return req.ref === req.defaultBranch || req.ref === `refs/heads/${req.defaultBranch}`;
  const names = refNames(req.ref);
  return rule.globs.some((g) => names.some((n) => g.test(n)));
}

function describeRef(rule: RefRule, req: DeploymentRequest): string {
  if (rule.type === "default-branch") return `the default branch \`${req.defaultBranch}\``;
  if (rule.type === "globs") return rule.globs.map((g) => `\`${g.source}\``).join(", ");
  return "any ref";
}

export const deployment: KindModule<DeploymentInput, CompiledDeployment> = {
  kind: "deployment",
  schema: deploymentSchema,
  reads: ["deployment"],
  compile(input) {
    const ref = input.require.ref;
    return {
      ...headerOf(input),
      // Lower-cased on both sides: GitHub treats `Production` and `production` as one environment.
      environments: input.environments.map((e, i) => compileGlob(e.toLowerCase(), ["environments", i])),
      ref: ref === undefined ? { type: "any" } : ref === "default-branch" ? { type: "default-branch" } : { type: "globs", globs: ref.map((r, i) => compileGlob(r, ["require", "ref", i])) },
      invariants: input.require.invariants,
      actor: input.require.actor,
      freeze: compileFreeze(input.freeze),
    };
  },
  /**
   * Findings sit at `deployment:<environment>`, line 1: the kind does not know which invariant
   * file declared it, and the verdict is about the request, not about a file in the tree.
   */
  evaluate(c, { deployment: req }) {
    const coverage = { unit: "environments", matched: c.environments.length } as const;
    if (req === null || !c.environments.some((g) => g.test(req.environment.toLowerCase()))) return { findings: [], coverage };

    const path = `deployment:${req.environment}`;
    const findings: RawFinding[] = [];
    const add = (code: string, evidence: RawFinding["evidence"], detail: string): void => {
      findings.push({ code, path, line: 1, column: 1, evidence: { environment: req.environment, ref: req.ref, sha: req.sha, ...evidence }, key: `${path}|${code}|${detail}` });
    };

    if (!refAllowed(c.ref, req)) add("deployment.ref-not-allowed", { allowed: describeRef(c.ref, req) }, req.ref);
    if (c.invariants === "pass" && req.invariantsPass === false) add("deployment.invariants-failing", {}, req.sha);
    // Fail closed: a deployment is never approved on a state nobody evaluated.
    if (c.invariants === "pass" && req.invariantsPass === null) add("deployment.invariants-unknown", {}, req.sha);
    if (c.actor !== "any" && req.actor.class !== c.actor) {
      add(
        "deployment.actor-not-allowed",
        { required: c.actor, actor: req.actor.class, agent: req.actor.agent ?? "", login: req.actor.login ?? "", signal: req.actor.signal, signalEvidence: req.actor.evidence, forgeable: req.actor.forgeable },
        req.actor.agent ?? req.actor.login ?? req.actor.class,
      );
    }
    if (c.freeze.length > 0) {
      const at = Date.parse(req.at);
      for (const w of c.freeze) {
        // An unreadable request time cannot prove it is outside the window, so it counts as inside.
        if (Number.isNaN(at) || (at >= w.fromMs && at < w.toMs)) add("deployment.frozen", { at: req.at, from: w.from, to: w.to, reason: w.reason }, `${w.from}/${w.to}`);
      }
    }
    return { findings, coverage };
  },
};
