import { describe, expect, it } from "vitest";
import { parsePackageJson } from "../../../src/snapshot/manifests/package-json.js";

const short = (text: string): string[] =>
  parsePackageJson("packages/x/package.json", text).refs.map((r) => `${r.section} ${r.name}@${r.version ?? "-"} ${r.line}:${r.column}`);

describe("parsePackageJson", () => {
  it("reads every range section at the line and column of the package's key", () => {
    const text = `{
  "name": "app",
  "dependencies": {
    "lodash": "^4.17.20",
    "@scope/pkg": "2.0.0"
  },
  "devDependencies": { "vitest": "^4.0.0" },
  "peerDependencies": {
    "react": ">=18"
  },
  "optionalDependencies": {
    "fsevents": "~2.3.0"
  }
}`;
    expect(short(text)).toEqual([
      "dependencies lodash@^4.17.20 4:5",
      "dependencies @scope/pkg@2.0.0 5:5",
      "devDependencies vitest@^4.0.0 7:24",
      "peerDependencies react@>=18 9:5",
      "optionalDependencies fsevents@~2.3.0 12:5",
    ]);
    const ref = parsePackageJson("packages/x/package.json", text).refs[0]!;
    expect(ref).toMatchObject({ source: "manifest", path: "packages/x/package.json" });
  });

  it.each([
    ["bundledDependencies array, range taken from dependencies", `{"dependencies": {"a": "^1"}, "bundledDependencies": ["a", "b"]}`, ["dependencies a@^1 1:19", "bundledDependencies a@^1 1:55", "bundledDependencies b@- 1:60"]],
    ["bundleDependencies: true lists nothing new", `{"dependencies": {"a": "^1"}, "bundleDependencies": true}`, ["dependencies a@^1 1:19"]],
    ["npm overrides: strings, `.` and nested selectors, $ references", `{
  "dependencies": { "colors": "^1.4.0" },
  "overrides": {
    "node-ipc": "9.2.1",
    "foo@1": { ".": "1.0.1", "bar": "2.0.0" },
    "scope-only": { "baz": "3.0.0" },
    "colors": "$colors"
  }
}`, ["dependencies colors@^1.4.0 2:21", "overrides node-ipc@9.2.1 4:5", "overrides foo@1.0.1 5:5", "overrides bar@2.0.0 5:30", "overrides baz@3.0.0 6:21", "overrides colors@^1.4.0 7:5"]],
    ["yarn resolutions name the last package on the path", `{"resolutions": {"**/minimist": "1.2.6", "a/@s/b": "2.0.0", "@s/c@^1": "npm:1.2.3"}}`, ["resolutions minimist@1.2.6 1:18", "resolutions @s/b@2.0.0 1:42", "resolutions @s/c@npm:1.2.3 1:61"]],
    ["pnpm.overrides: selectors with `>`, `-` removes", `{"pnpm": {"overrides": {"a@1>b": "2.0.0", "c": "-", "@s/d@<2": "2.0.0"}}}`, ["pnpm.overrides b@2.0.0 1:25", "pnpm.overrides @s/d@2.0.0 1:53"]],
    ["a `__proto__` key is just a package name", `{"dependencies": {"__proto__": "1.0.0"}}`, ["dependencies __proto__@1.0.0 1:19"]],
    ["a byte order mark does not shift columns", `\uFEFF{"dependencies": {"a": "1"}}`, ["dependencies a@1 1:20"]],
    ["CRLF line endings", `{\r\n  "dependencies": {\r\n    "a": "1"\r\n  }\r\n}`, ["dependencies a@1 3:5"]],
    ["no dependency sections", `{"name": "empty", "version": "1.0.0"}`, []],
  ])("%s", (_label, text, expected) => {
    expect(short(text)).toEqual(expected);
  });

  it.each([
    ["a trailing comma", `{\n  "dependencies": {\n    "a": "1",\n  }\n}`, 4, 3, "expected a quoted key"],
    ["a missing closing brace", `{\n  "dependencies": {\n    "a": "1"\n  }\n`, 5, 1, "expected `,` or `}`"],
    ["an unterminated string", `{\n  "dependencies": {\n    "a: "1"\n  }\n}`, 3, 10, "after the key"],
    ["an empty file", ``, 1, 1, "empty"],
    ["a top-level array", `[]`, 1, 1, "must be a JSON object"],
    ["a section that is not an object", `{\n  "dependencies": ["a"]\n}`, 2, 3, "must be an object"],
    ["a version that is not a string", `{\n  "dependencies": {\n    "a": 1\n  }\n}`, 3, 5, "must be a string"],
    ["a dangling $ reference", `{"overrides": {"a": "$a"}}`, 1, 16, "not a dependency"],
  ])("reports %s at its line, without throwing", (_label, text, line, column, reason) => {
    const { problems } = parsePackageJson("package.json", text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "package.json", line, column });
    expect(problems[0]!.reason).toContain(reason);
  });

  it("keeps the refs it could read next to a problem in another entry", () => {
    const { refs, problems } = parsePackageJson("package.json", `{"dependencies": {"a": 1, "b": "2"}}`);
    expect(refs.map((r) => `${r.name}@${r.version}`)).toEqual(["a@null", "b@2"]);
    expect(problems).toHaveLength(1);
  });

  it("refuses absurd nesting instead of overflowing the stack", () => {
    const { problems } = parsePackageJson("package.json", "[".repeat(100_000));
    expect(problems[0]!.reason).toContain("nested deeper");
  });
});
