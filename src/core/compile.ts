import { BUILTIN_AGENT_IDS } from "./agent-fingerprints.js";
import { CompileError } from "./compile-error.js";
import { ENGINE_VERSION } from "./engine-version.js";
import { gitBlobSha, sha256 } from "./git-blob-sha.js";
import { compileGlob, type Glob } from "./glob.js";
import type { InvariantHeader } from "./invariant-base.js";
import type { KindModule, Read } from "./kind.js";
import { kinds } from "./kinds/index.js";
import { parsePolicyFile, type ParsedPolicyFile } from "./parse.js";
import { formatField, type PolicyError } from "./policy-error.js";
import { settingsSchema, type AgentDefinition, type InvariantInput, type Settings } from "./schema.js";

export interface PolicySource {
  readonly path: string;
  readonly text: string;
}

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export interface CompiledInvariant {
  readonly header: InvariantHeader;
  readonly module: KindModule;
  readonly compiled: InvariantHeader;
  /** The validated input, kept for policy diffs and `list_invariants`. */
  readonly input: InvariantInput;
  readonly source: SourceLocation;
}

export interface CompiledWaiver {
  readonly invariant: string;
  readonly path: string;
  readonly glob: Glob;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
  /** First instant (ms since epoch, UTC) at which the waiver no longer applies. */
  readonly expiresAt: number;
  readonly source: SourceLocation;
}

export interface CompiledPolicy {
  readonly invariants: readonly CompiledInvariant[];
  readonly waivers: readonly CompiledWaiver[];
  readonly agents: readonly AgentDefinition[];
  readonly settings: Settings;
  /** Each invariant file with its git blob id: the evidence of which policy judged. */
  readonly files: readonly { path: string; sha: string }[];
  /** sha256 over the engine version and the files' blob ids. */
  readonly digest: string;
  readonly reads: ReadonlySet<Read>;
  /** settings.exclude, compiled: paths no invariant sees. */
  readonly excluded: readonly Glob[];
}

export type CompileResult = { ok: true; policy: CompiledPolicy } | { ok: false; errors: PolicyError[] };

/** parse + compile: invariant files → one strict, ready-to-evaluate policy, or every error found. */
export function compilePolicy(sources: readonly PolicySource[]): CompileResult {
  const errors: PolicyError[] = [];
  const parsed: ParsedPolicyFile[] = [];
  const ordered = [...sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const src of ordered) {
    const r = parsePolicyFile(src.path, src.text);
    if (r.ok) parsed.push(r.file);
    else errors.push(...r.errors);
  }

  const agents: AgentDefinition[] = [];
  const agentIds = new Set<string>(BUILTIN_AGENT_IDS);
  for (const file of parsed) {
    file.data.agents.forEach((a, i) => {
      if (agents.some((b) => b.id === a.id) || BUILTIN_AGENT_IDS.includes(a.id)) {
        errors.push(at(file, ["agents", i, "id"], `a unique agent id, \`${a.id}\` is already defined`, null));
      }
      agents.push(a);
      agentIds.add(a.id);
    });
  }

  const invariants: CompiledInvariant[] = [];
  const firstSeen = new Map<string, string>();
  for (const file of parsed) {
    file.data.invariants.forEach((input, i) => {
      const where = ["invariants", i] as const;
      const prior = firstSeen.get(input.id);
      if (prior !== undefined) {
        errors.push(at(file, [...where, "id"], `a unique invariant id, \`${input.id}\` is already defined at ${prior}`, "rename one of them; ids key fingerprints, waivers and the ledger"));
        return;
      }
      firstSeen.set(input.id, `${file.path}:${file.locate([...where, "id"]).line}`);
      const module = kinds[input.kind];
      if (!module) {
        errors.push(at(file, [...where, "kind"], `a known kind, got \`${input.kind}\``, Object.keys(kinds).join(", ")));
        return;
      }
      try {
        const compiled = module.compile(input, { agentIds }) as InvariantHeader;
        invariants.push({ header: compiled, module, compiled, input, source: { file: file.path, line: file.locate(where).line } });
      } catch (err) {
        if (err instanceof CompileError) errors.push(at(file, [...where, ...err.field], err.expected, err.allowed));
        else errors.push(at(file, [...where], `an invariant the \`${input.kind}\` compiler accepts (it failed: ${(err as Error).message})`, null));
      }
    });
  }

  const waivers: CompiledWaiver[] = [];
  for (const file of parsed) {
    file.data.waivers.forEach((w, i) => {
      const where = ["waivers", i] as const;
      if (!firstSeen.has(w.invariant)) {
        errors.push(at(file, [...where, "invariant"], `the id of an invariant, got unknown \`${w.invariant}\``, [...firstSeen.keys()].join(", ") || "no invariants are defined"));
        return;
      }
      try {
        const glob = compileGlob(w.path, [...where, "path"]);
        const expiresAt = Date.parse(`${w.expires}T00:00:00Z`) + 86_400_000;
        waivers.push({ ...w, glob, expiresAt, source: { file: file.path, line: file.locate(where).line } });
      } catch (err) {
        if (err instanceof CompileError) errors.push(at(file, err.field, err.expected, err.allowed));
        else throw err;
      }
    });
  }

  const withSettings = parsed.filter((f) => f.data.settings !== undefined);
  if (withSettings.length > 1) {
    const second = withSettings[1]!;
    errors.push(at(second, ["settings"], `settings in one file only, they are already set in ${withSettings[0]!.path}`, "move all settings into one file"));
  }
  if (errors.length > 0) return { ok: false, errors };

  const files = ordered.map((s) => ({ path: s.path, sha: gitBlobSha(s.text) }));
  const digest = sha256(JSON.stringify({ engine: ENGINE_VERSION, files }));
  const reads = new Set<Read>(invariants.flatMap((i) => i.module.reads));
  const settings = withSettings[0]?.data.settings ?? settingsSchema.parse({});
  let excluded: Glob[] = [];
  try {
    excluded = settings.exclude.map((g, i) => compileGlob(g, ["settings", "exclude", i]));
  } catch (err) {
    if (!(err instanceof CompileError)) throw err;
    return { ok: false, errors: [at(withSettings[0]!, err.field, err.expected, err.allowed)] };
  }
  return { ok: true, policy: { invariants, waivers, agents, settings, files, digest, reads, excluded } };
}

function at(file: ParsedPolicyFile, field: readonly PropertyKey[], expected: string, allowed: string | null): PolicyError {
  return { file: file.path, ...file.locate(field), field: formatField(field), expected, allowed };
}
