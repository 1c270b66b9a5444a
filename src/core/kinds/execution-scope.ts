import { z } from "zod";
import type { ActorVerdict } from "../actor.js";
import type { ChangedPath } from "../change.js";
import { CompileError } from "../compile-error.js";
import { compileGlobs, type Glob } from "../glob.js";
import { baseFields, invariantId, type InvariantHeader } from "../invariant-base.js";
import { headerOf, type KindModule, type RawFinding } from "../kind.js";

const ACTOR_CLASSES = ["agents", "humans", "all"] as const;

export const executionScopeSchema = z
  .strictObject({
    ...baseFields,
    kind: z.literal("execution-scope"),
    actors: z
      .union([z.enum(ACTOR_CLASSES), z.array(invariantId).min(1)])
      .describe("Who the rule binds: `agents` (every agent, dependency bots included), `humans`, `all`, or a list of agent ids."),
    deny: z.array(z.string()).min(1).optional().describe("Globs these actors may not change (add, modify, delete, or rename from or to)."),
    allow: z.array(z.string()).min(1).optional().describe("Globs these actors may change; any other path is out of scope for them."),
  })
  .describe("Which paths an actor class may change.");

export type ExecutionScopeInput = z.infer<typeof executionScopeSchema>;

/** `ids` binds only agents whose verdict names one of `agentIds`; the classes bind by `ActorVerdict.class`. */
export type ActorSelector = { readonly type: "agents" | "humans" | "all" } | { readonly type: "ids"; readonly agentIds: readonly string[] };

export interface CompiledExecutionScope extends InvariantHeader {
  readonly actors: ActorSelector;
  readonly deny: readonly Glob[];
  /** Empty means no allow-list: only `deny` restricts. */
  readonly allow: readonly Glob[];
}

function compileActors(actors: ExecutionScopeInput["actors"], known: ReadonlySet<string>): ActorSelector {
  if (typeof actors === "string") return { type: actors };
  actors.forEach((id, i) => {
    if (!known.has(id)) {
      const list = [...known].sort().map((k) => `\`${k}\``).join(", ");
      throw new CompileError(["actors", i], `a known agent id, got \`${id}\``, `one of ${list}, \`agents\`, \`humans\` or \`all\`; declare new agents under \`agents:\``);
    }
  });
  return { type: "ids", agentIds: [...new Set(actors)] };
}

export function actorMatches(selector: ActorSelector, actor: ActorVerdict): boolean {
  switch (selector.type) {
    case "all":
      return true;
    case "agents":
      return actor.class === "agent";
    case "humans":
      return actor.class === "human";
    case "ids":
      return actor.class === "agent" && actor.agent !== null && selector.agentIds.includes(actor.agent);
  }
}

interface Violation {
  readonly path: string;
  readonly code: "execution-scope.denied" | "execution-scope.outside-allow";
  readonly glob: string;
}

function violationAt(c: CompiledExecutionScope, path: string): Violation | null {
  const denied = c.deny.find((g) => g.test(path));
  if (denied) return { path, code: "execution-scope.denied", glob: denied.source };
  if (c.allow.length > 0 && !c.allow.some((g) => g.test(path))) {
    return { path, code: "execution-scope.outside-allow", glob: c.allow.map((g) => g.source).join(", ") };
  }
  return null;
}

/**
 * A rename counts on both sides: moving a file out of a denied directory deletes it there. One
 * finding per changed entry, on the new path when that side violates (it exists at head, so the
 * annotation lands), otherwise on the old path.
 */
function violationOf(c: CompiledExecutionScope, changed: ChangedPath): Violation | null {
  const head = violationAt(c, changed.path);
  if (head) return head;
  return changed.previousPath !== undefined && changed.previousPath !== changed.path ? violationAt(c, changed.previousPath) : null;
}


export const executionScope: KindModule<ExecutionScopeInput, CompiledExecutionScope> = {
  kind: "execution-scope",
  schema: executionScopeSchema,
  reads: ["tree", "change"],
  compile(input, ctx) {
    if (input.deny === undefined && input.allow === undefined) {
      throw new CompileError(["deny"], "at least one of `deny` or `allow`", "`deny: [<glob>]` (paths these actors may not change) and/or `allow: [<glob>]` (the only paths they may change)");
    }
    return {
      ...headerOf(input),
      actors: compileActors(input.actors, ctx.agentIds),
      deny: compileGlobs(input.deny ?? [], ["deny"]),
      allow: compileGlobs(input.allow ?? [], ["allow"]),
    };
  },
  evaluate(c, { snapshot, change }) {
    // Coverage is over the tree, not the change: a rule whose globs match no file guards nothing.
    const globs = [...c.deny, ...c.allow];
    const matched = snapshot.files.filter((f) => globs.some((g) => g.test(f))).length;
    const coverage = { unit: "paths", matched } as const;
    if (change === null || !actorMatches(c.actors, change.actor)) return { findings: [], coverage };

    const { actor } = change;
    const who = actor.agent ?? actor.class;
    const findings: RawFinding[] = [];
    for (const changed of change.paths) {
      const v = violationOf(c, changed);
      if (!v) continue;
      findings.push({
        code: v.code,
        path: v.path,
        line: 1,
        column: 1,
        evidence: {
          actor: actor.class,
          agent: actor.agent ?? "",
          login: actor.login ?? "",
          signal: actor.signal,
          signalEvidence: actor.evidence,
          forgeable: actor.forgeable,
          status: changed.status,
          changedPath: changed.path,
          previousPath: changed.previousPath ?? "",
          glob: v.glob,
          scopeType: c.actors.type,
          scope: c.actors.type === "ids" ? c.actors.agentIds.join(", ") : c.actors.type,
        },
        key: `${who}|${v.code}|${v.path}`,
      });
    }
    return { findings, coverage };
  },
};
