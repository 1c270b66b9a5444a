import { describe, expect, it } from "vitest";
import { parsePnpmLock } from "../../../src/snapshot/manifests/pnpm-lock.js";

const short = (text: string): string[] =>
  parsePnpmLock("pnpm-lock.yaml", text).refs.map((r) => `${r.section} ${r.name}@${r.version ?? "-"} ${r.line}:${r.column}`);

const V9 = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: 5.4.5

  apps/web:
    dependencies:
      '@repo/ui':
        specifier: workspace:*
        version: link:../../packages/ui
      ipc:
        specifier: npm:node-ipc@^9.2.1
        version: node-ipc@9.2.1
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
      version:
        specifier: ^1.0.0
        version: 1.0.0

  packages/ui: {}

packages:

  '@babel/code-frame@7.24.2':
    resolution: {integrity: sha512-y5+tLQyV8pg3fsiln67BVLD1P13Eg4lh5RW9mF0zUuvLrv9uIQ4MCL+CRT+FTsBlBjcIan6PGsLcBN0m3ClUyQ==}
    engines: {node: '>=6.9.0'}

  js-tokens@4.0.0:
    resolution: {integrity: sha512-RdJUflcE3cUzKiMqQgsCu06FPu9UdIJO0beYbPhHN4k6apgJtifcoCtT9bcxOpYBtpD2kCM6Sbzg4CausW/PKQ==}

  node-ipc@9.2.1:
    resolution: {integrity: sha512-abc}
    engines: {node: '>=8.0.0'}

  react-dom@18.2.0:
    resolution: {integrity: sha512-def}
    peerDependencies:
      react: ^18.2.0

  thing@https://codeload.github.com/evil/thing/tar.gz/abc123:
    resolution: {tarball: https://codeload.github.com/evil/thing/tar.gz/abc123}
    version: 0.1.0

  typescript@5.4.5:
    resolution: {integrity: sha512-ghi}
    engines: {node: '>=14.17'}
    hasBin: true

  version@1.0.0:
    resolution: {integrity: sha512-jkl}

snapshots:

  '@babel/code-frame@7.24.2':
    dependencies:
      js-tokens: 4.0.0

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      loose-envify: 1.4.0
`;

const V6 = `lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

dependencies:
  colors:
    specifier: ^1.4.0
    version: 1.4.0
  ipc:
    specifier: npm:node-ipc@^9.2.1
    version: /node-ipc@9.2.1
  react-dom:
    specifier: ^18.2.0
    version: 18.2.0(react@18.2.0)

devDependencies:
  typescript:
    specifier: ^5.0.0
    version: 5.0.4

packages:

  /@babel/code-frame@7.24.2:
    resolution: {integrity: sha512-abc}
    dev: false

  /colors@1.4.0:
    resolution: {integrity: sha512-abc}
    engines: {node: '>=0.1.90'}
    dev: false

  /node-ipc@9.2.1:
    resolution: {integrity: sha512-abc}
    dev: false

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-abc}
    peerDependencies:
      react: ^18.2.0
    dependencies:
      loose-envify: 1.4.0
      version: 1.0.0
    dev: false

  github.com/evil/thing/abc123:
    resolution: {tarball: https://codeload.github.com/evil/thing/tar.gz/abc123}
    name: thing
    version: 0.1.0
    dev: false
`;

const V5 = `lockfileVersion: 5.4

importers:

  .:
    specifiers:
      colors: ^1.4.0
    dependencies:
      colors: 1.4.0

  packages/app:
    specifiers:
      '@babel/core': ^7.20.0
      ipc: npm:node-ipc@^9
      react-dom: ^18.2.0
      ui: workspace:*
    dependencies:
      '@babel/core': 7.20.0
      ipc: /node-ipc/9.2.1
      react-dom: 18.2.0_react@18.2.0
      ui: link:../ui

packages:

  /@babel/core/7.20.0:
    resolution: {integrity: sha512-x}
    engines: {node: '>=6.9.0'}
    dev: false

  /colors/1.4.0:
    resolution: {integrity: sha512-x}
    dev: false

  /js-tokens/4.0.0:
    resolution: {integrity: sha512-x}
    dev: false

  /node-ipc/9.2.1:
    resolution: {integrity: sha512-x}
    dev: false

  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-x}
    dev: false
`;

describe("parsePnpmLock", () => {
  it("reads lockfile v9: importers are direct, packages transitive unless already direct", () => {
    expect(short(V9)).toEqual([
      "direct typescript@5.4.5 11:7",
      "direct node-ipc@9.2.1 20:7",
      "direct react-dom@18.2.0 23:7",
      "direct version@1.0.0 26:7",
      "transitive @babel/code-frame@7.24.2 34:3",
      "transitive js-tokens@4.0.0 38:3",
      "transitive thing@0.1.0 50:3",
    ]);
    expect(parsePnpmLock("pnpm-lock.yaml", V9).problems).toEqual([]);
  });

  it("reads lockfile v6: top-level sections, `/name@version(peers)` keys, name/version fields", () => {
    expect(short(V6)).toEqual([
      "direct colors@1.4.0 8:3",
      "direct node-ipc@9.2.1 11:3",
      "direct react-dom@18.2.0 14:3",
      "direct typescript@5.0.4 19:3",
      "transitive @babel/code-frame@7.24.2 25:3",
      "transitive thing@0.1.0 47:3",
    ]);
    expect(parsePnpmLock("pnpm-lock.yaml", V6).problems).toEqual([]);
  });

  it("reads lockfile v5: scalar importer versions, `/name/version_peers` keys", () => {
    expect(short(V5)).toEqual([
      "direct colors@1.4.0 9:7",
      "direct @babel/core@7.20.0 18:7",
      "direct node-ipc@9.2.1 19:7",
      "direct react-dom@18.2.0 20:7",
      "transitive js-tokens@4.0.0 34:3",
    ]);
  });

  it("reads every document of a combined lockfile", () => {
    const text = `---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    configDependencies: {}\n\npackages:\n\n  pnpm@9.1.0:\n    resolution: {integrity: sha512-x}\n\n---\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      colors:\n        specifier: 1.4.0\n        version: 1.4.0\n`;
    expect(short(text)).toEqual(["direct colors@1.4.0 21:7", "transitive pnpm@9.1.0 11:3"]);
  });

  it("decodes quoted keys, including YAML-only escapes", () => {
    const text = `lockfileVersion: '9.0'\npackages:\n  "@s/\\x70kg@1.0.0":\n    resolution: {integrity: x}\n  'it''s@2.0.0':\n    resolution: {integrity: x}\n`;
    expect(short(text)).toEqual(["transitive @s/pkg@1.0.0 3:3", "transitive it's@2.0.0 5:3"]);
  });

  it("accepts CRLF line endings and comments", () => {
    const text = "lockfileVersion: '9.0'\r\n# a comment\r\npackages:\r\n  colors@1.4.0:   # trailing\r\n    resolution: {integrity: x}\r\n";
    expect(short(text)).toEqual(["transitive colors@1.4.0 4:3"]);
  });

  it.each([
    ["a missing lockfileVersion", "packages:\n  colors@1.4.0:\n    resolution: {integrity: x}\n", 1, "no `lockfileVersion`"],
    ["a tab in the indentation", "lockfileVersion: '9.0'\npackages:\n\tcolors@1.4.0:\n", 3, "tab"],
    ["an anchor", "lockfileVersion: '9.0'\npackages:\n  colors@1.4.0: &a\n    resolution: {integrity: x}\n", 3, "anchors"],
    ["an alias key", "lockfileVersion: '9.0'\npackages:\n  *a: x\n", 3, "YAML construct"],
    ["a flow-style packages map", "lockfileVersion: '9.0'\npackages: {colors@1.4.0: {resolution: {integrity: x}}}\n", 2, "flow-style"],
    ["a multi-line flow collection", "lockfileVersion: '9.0'\npackages:\n  colors@1.4.0: {resolution:\n    {integrity: x}}\n", 3, "spans several lines"],
    ["a line that is not `key: value`", "lockfileVersion: '9.0'\nthis is not yaml\n", 2, "expected `key: value`"],
    ["an unterminated quoted key", "lockfileVersion: '9.0'\npackages:\n  '@babel/core@7.0.0:\n", 3, "quoted string"],
    ["a merge conflict", "lockfileVersion: '9.0'\n<<<<<<< HEAD\npackages:\n", 2, "expected `key: value`"],
  ])("reports %s with its line", (_label, text, line, reason) => {
    const { problems } = parsePnpmLock("pnpm-lock.yaml", text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.line).toBe(line);
    expect(problems[0]!.reason).toContain(reason);
  });

  it("reads a one-line flow entry and skips block scalars and sequences whole", () => {
    const text = `lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      colors: {specifier: ^1.4.0, version: 1.4.0}
packages:
  colors@1.4.0:
    os:
      - darwin
      - linux
    description: |
      not-a-key@1.0.0:
        version: 9.9.9
  '@s/pkg@2.0.0':
    resolution: {integrity: x}
`;
    expect(short(text)).toEqual(["direct colors@1.4.0 5:7", "transitive @s/pkg@2.0.0 14:3"]);
  });
});
