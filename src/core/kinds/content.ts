import { z } from "zod";
import { CompileError } from "../compile-error.js";
import { compileGlobs, matchesAny, type Glob } from "../glob.js";
import { headerOf, type KindModule, type RawFinding } from "../kind.js";
import { baseFields, type InvariantHeader } from "../invariant-base.js";
import { compileRegex, positionOf, type SafeRegex } from "../regex.js";

const globList = z.array(z.string()).min(1);
const patternList = z.union([z.string(), z.array(z.string()).min(1)]);

export const contentSchema = z
  .strictObject({
    ...baseFields,
    kind: z.literal("content"),
    files: globList.describe("Globs of the files this rule reads."),
    exclude: z.array(z.string()).default([]).describe("Globs of files to leave out."),
    forbid: patternList.optional().describe("RE2 pattern(s) that must not appear in any matching file."),
    require: patternList.optional().describe("RE2 pattern(s) that must appear in every matching file."),
    ignoreCase: z.boolean().default(false),
  })
  .describe("A pattern must / must not appear in files matching globs.");

export type ContentInput = z.infer<typeof contentSchema>;

export interface CompiledContent extends InvariantHeader {
  readonly files: readonly Glob[];
  readonly exclude: readonly Glob[];
  readonly forbid: readonly SafeRegex[];
  readonly require: readonly SafeRegex[];
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === "string" ? [v] : v);

function compileList(v: string | string[] | undefined, field: string, ignoreCase: boolean): SafeRegex[] {
  const single = typeof v === "string";
  return asList(v).map((p, i) => compileRegex(p, single ? [field] : [field, i], { ignoreCase, multiline: true }));
}

export const content: KindModule<ContentInput, CompiledContent> = {
  kind: "content",
  schema: contentSchema,
  reads: ["tree", "contents"],
  compile(input) {
    if (input.forbid === undefined && input.require === undefined) {
      throw new CompileError(["forbid"], "at least one of `forbid` or `require`", "`forbid: <RE2 pattern>` and/or `require: <RE2 pattern>`");
    }
    return {
      ...headerOf(input),
      files: compileGlobs(input.files, ["files"]),
      exclude: compileGlobs(input.exclude, ["exclude"]),
      forbid: compileList(input.forbid, "forbid", input.ignoreCase),
      require: compileList(input.require, "require", input.ignoreCase),
    };
  },
  evaluate(c, { snapshot }) {
    const findings: RawFinding[] = [];
    let matched = 0;
    for (const path of snapshot.files) {
      if (!matchesAny(c.files, path) || matchesAny(c.exclude, path)) continue;
      matched++;
      const text = snapshot.contents.get(path);
      if (text === undefined) {
        // A matched file that was not read may hide anything: fail closed, once per file (as
        // forbidden-dependency does for manifests). Binary files are not text to match against.
        const reason = snapshot.skipped.get(path);
        if (reason !== undefined && reason !== "binary") findings.push({ code: "content.unread", path, line: 1, column: 1, evidence: { reason }, key: `${path}|unread` });
        continue;
      }
      for (const re of c.forbid) {
        for (const m of re.matchAll(text)) {
          const pos = positionOf(text, m.index);
          findings.push({
            code: "content.forbidden",
            path,
            ...pos,
            evidence: { pattern: re.source, match: m.text.slice(0, 200) },
            key: `${path}|forbid|${re.source}|${m.text.slice(0, 200)}`,
          });
        }
      }
      for (const re of c.require) {
        if (!re.test(text)) {
          findings.push({ code: "content.missing", path, line: 1, column: 1, evidence: { pattern: re.source }, key: `${path}|require|${re.source}` });
        }
      }
    }
    return { findings, coverage: { unit: "files", matched } };
  },
};
