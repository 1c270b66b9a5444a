import { describe, expect, it } from "vitest";
import { parsePackageLock } from "../../../src/snapshot/manifests/package-lock.js";

const short = (text: string): string[] =>
  parsePackageLock("package-lock.json", text).refs.map((r) => `${r.section} ${r.name}@${r.version ?? "-"} ${r.line}:${r.column}`);

const V3 = `{
  "name": "monorepo",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "monorepo",
      "version": "1.0.0",
      "workspaces": ["packages/*"],
      "dependencies": { "colors": "^1.4.0", "ipc": "npm:node-ipc@^9.2.1" },
      "devDependencies": { "typescript": "^5.4.0" }
    },
    "node_modules/@babel/code-frame": {
      "version": "7.24.2",
      "resolved": "https://registry.npmjs.org/@babel/code-frame/-/code-frame-7.24.2.tgz",
      "integrity": "sha512-y5+tLQyV8pg3fsiln67BVLD1P13Eg4lh5RW9mF0zUuvLrv9uIQ4MCL+CRT+FTsBlBjcIan6PGsLcBN0m3ClUyQ==",
      "dependencies": { "@babel/highlight": "^7.24.2", "picocolors": "^1.0.0" },
      "engines": { "node": ">=6.9.0" }
    },
    "node_modules/colors": {
      "version": "1.4.0",
      "resolved": "https://registry.npmjs.org/colors/-/colors-1.4.0.tgz",
      "integrity": "sha512-a+UqTh4kgZg/SlGvfbzDHpgRu7AAQOmmqRHJnxhRZICKFUT91brVhNNt58CMWU9PsBbv3PDCZUHbVxuDiH2mtA==",
      "engines": { "node": ">=0.1.90" }
    },
    "node_modules/ipc": {
      "name": "node-ipc",
      "version": "9.2.1",
      "resolved": "https://registry.npmjs.org/node-ipc/-/node-ipc-9.2.1.tgz"
    },
    "node_modules/lodash": {
      "version": "4.17.21",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"
    },
    "node_modules/my-ui": {
      "resolved": "packages/ui",
      "link": true
    },
    "node_modules/tap/node_modules/lodash": {
      "version": "4.17.20",
      "dev": true
    },
    "node_modules/typescript": {
      "version": "5.4.5",
      "dev": true,
      "license": "Apache-2.0"
    },
    "packages/ui": {
      "name": "my-ui",
      "version": "0.0.0",
      "dependencies": { "lodash": "^4.17.21", "tiny": "^1.0.0" }
    },
    "packages/ui/node_modules/tiny": {
      "version": "1.0.1"
    },
    "packages/ui/node_modules/tiny/node_modules/@scope/deep": {
      "version": "2.0.0-beta.1"
    }
  }
}
`;

describe("parsePackageLock", () => {
  it("reads lockfile v3 `packages` by install location, skipping workspaces and links", () => {
    expect(short(V3)).toEqual([
      "transitive @babel/code-frame@7.24.2 14:5",
      "direct colors@1.4.0 21:5",
      "direct node-ipc@9.2.1 27:5",
      // Hoisted to the root, declared by the packages/ui workspace.
      "direct lodash@4.17.21 32:5",
      "transitive lodash@4.17.20 40:5",
      "direct typescript@5.4.5 44:5",
      "direct tiny@1.0.1 54:5",
      "transitive @scope/deep@2.0.0-beta.1 57:5",
    ]);
    expect(parsePackageLock("package-lock.json", V3).problems).toEqual([]);
  });

  it("prefers `packages` over the v1 tree that lockfile v2 repeats", () => {
    const v2 = `{
  "lockfileVersion": 2,
  "packages": {
    "": { "dependencies": { "colors": "1.4.0" } },
    "node_modules/colors": { "version": "1.4.0" }
  },
  "dependencies": {
    "colors": { "version": "1.4.0" }
  }
}`;
    expect(short(v2)).toEqual(["direct colors@1.4.0 5:5"]);
  });

  it("walks the nested v1 `dependencies` tree and follows npm: aliases", () => {
    const v1 = `{
  "name": "legacy",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {
    "colors": {
      "version": "1.4.0",
      "resolved": "https://registry.npmjs.org/colors/-/colors-1.4.0.tgz"
    },
    "ipc": {
      "version": "npm:node-ipc@9.2.1"
    },
    "tap": {
      "version": "16.3.0",
      "dev": true,
      "requires": { "lodash": "4.17.20" },
      "dependencies": {
        "lodash": { "version": "4.17.20", "dev": true }
      }
    }
  }
}`;
    expect(short(v1)).toEqual(["direct colors@1.4.0 6:5", "direct node-ipc@9.2.1 10:5", "direct tap@16.3.0 13:5", "transitive lodash@4.17.20 18:9"]);
  });

  it.each([
    ["truncated JSON", V3.slice(0, 600), "invalid JSON"],
    ["`packages` that is not an object", `{"lockfileVersion": 3, "packages": []}`, "`packages` must be an object"],
    ["an entry that is not an object", `{"lockfileVersion": 3, "packages": {"node_modules/a": "1.0.0"}}`, "must be an object"],
    ["a JSON file that is no lockfile", `{"name": "x"}`, "not an npm lockfile"],
    ["a merge conflict", `{\n<<<<<<< HEAD\n  "lockfileVersion": 3\n=======\n>>>>>>> b\n}`, "expected a quoted key"],
  ])("reports %s as a problem", (_label, text, reason) => {
    const { problems } = parsePackageLock("package-lock.json", text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.reason).toContain(reason);
    expect(problems[0]!.line).toBeGreaterThan(0);
  });

  it("points a syntax error at its line", () => {
    const { problems } = parsePackageLock("package-lock.json", `{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": { "version": "1.0.0" }\n    "node_modules/b": {}\n  }\n}`);
    expect(problems).toEqual([{ path: "package-lock.json", line: 5, column: 5, reason: expect.stringContaining("expected `,` or `}`") }]);
  });
});
