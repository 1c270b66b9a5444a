import { describe, expect, it } from "vitest";
import { bashEffects } from "../../src/hooks/bash-effects.js";
import { packageOf, parseInstall } from "../../src/hooks/package-install.js";
import { parseShell } from "../../src/hooks/shell-words.js";

const words = (src: string) => parseShell(src).map((c) => c.words.map((w) => w.text));

describe("parseShell", () => {
  it.each([
    ["a b 'c d' \"e f\"", [["a", "b", "c d", "e f"]]],
    ["a && b || c; d | e & f", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]],
    ["echo a\\ b \"x\\\"y\"", [["echo", "a b", 'x"y']]],
    ["a # comment ; b\nc", [["a"], ["c"]]],
    ["(cd x && y)", [["cd", "x"], ["y"]]],
    ["a \\\n b", [["a", "b"]]],
  ])("%s", (src, expected) => {
    expect(words(src)).toEqual(expected);
  });

  it("flags words the shell would compute", () => {
    const [cmd] = parseShell('rm $HOME/x "$(pwd)/y" `z` ~/w plain "lit"');
    expect(cmd!.words.map((w) => w.literal)).toEqual([true, false, false, false, false, true, true]);
  });

  it("reads here-documents and does not take their lines for commands", () => {
    const cmds = parseShell("cat > a.ts <<'EOF'\nrm -rf /\nEOF\necho done");
    expect(cmds.map((c) => c.words[0]!.text)).toEqual(["cat", "echo"]);
    expect(cmds[0]!.heredoc).toBe("rm -rf /\n");
    expect(cmds[0]!.redirects[0]).toMatchObject({ op: ">", target: { text: "a.ts" } });
  });

  it("tells redirections to files from descriptor duplications", () => {
    const [cmd] = parseShell("make 2>&1 >> build.log 2> err.txt");
    expect(cmd!.redirects.map((r) => `${r.op} ${r.target.text}`)).toEqual([">& 1", ">> build.log", "> err.txt"]);
  });
});

describe("bashEffects", () => {
  it("resolves paths against cd", () => {
    const fx = bashEffects("cd src && rm -rf old a.ts; mv b.ts c.ts", "/repo");
    expect(fx.removes.map((p) => p.abs)).toEqual(["/repo/src/old", "/repo/src/a.ts"]);
    expect(fx.moves[0]).toMatchObject({ sources: [{ abs: "/repo/src/b.ts" }], target: { abs: "/repo/src/c.ts" }, keep: false });
  });

  it("stops placing relative paths after a cd it cannot follow", () => {
    expect(bashEffects('cd "$DIR" && rm a.ts', "/repo").removes).toEqual([]);
  });

  it("reads git rm/mv, cp -t, tee, sed -i, touch and writes through redirections", () => {
    const fx = bashEffects("git rm -q x; git mv a b; cp -t dest s1 s2; tee -a log.txt; sed -i 's/a/b/' f1 f2; sed -i.bak -e s/x/y/ f3; touch t; echo hi > out.txt 2>/dev/null", "/r");
    expect(fx.removes.map((p) => p.abs)).toEqual(["/r/x"]);
    expect(fx.moves.map((m) => [m.sources.map((s) => s.abs), m.target.abs, m.keep])).toEqual([
      [["/r/a"], "/r/b", false],
      [["/r/s1", "/r/s2"], "/r/dest", true],
    ]);
    expect(fx.writes.map((w) => [w.path.abs, w.content])).toEqual([
      ["/r/log.txt", null],
      ["/r/f1", null],
      ["/r/f2", null],
      ["/r/f3", null],
      ["/r/t", null],
      ["/r/out.txt", "hi\n"],
    ]);
  });

  it("looks inside bash -c and through sudo, env and assignments", () => {
    const fx = bashEffects("sudo env FOO=1 bash -c 'rm -f a && npm i -D left-pad'", "/r");
    expect(fx.removes.map((p) => p.abs)).toEqual(["/r/a"]);
    expect(fx.installs).toEqual([{ manager: "npm", dir: null, section: "devDependencies", packages: [{ name: "left-pad", version: "latest" }], cwd: "/r" }]);
  });
});

describe("parseInstall", () => {
  it.each([
    ["npm install left-pad", "dependencies", ["left-pad@latest"]],
    ["npm i -D @scope/pkg@^2 other", "devDependencies", ["@scope/pkg@^2", "other@latest"]],
    ["npm install -w packages/a --save-optional x", "optionalDependencies", ["x@latest"]],
    ["pnpm add --filter web left-pad", "dependencies", ["left-pad@latest"]],
    ["yarn workspace web add -P react@18", "peerDependencies", ["react@18"]],
    ["bun add -d left-pad@1.3.0", "devDependencies", ["left-pad@1.3.0"]],
    ["npm install alias@npm:left-pad@1", "dependencies", ["alias@npm:left-pad@1"]],
  ])("%s", (cmd, section, pkgs) => {
    const req = parseInstall(cmd.split(" "));
    expect(req?.section).toBe(section);
    expect(req?.packages.map((p) => `${p.name}@${p.version}`)).toEqual(pkgs);
  });

  it.each(["npm install", "npm ci", "npm run build", "npm i -g left-pad", "yarn global add left-pad", "yarn", "pnpm install", "npm test"])("%s adds nothing", (cmd) => {
    expect(parseInstall(cmd.split(" "))).toBeNull();
  });

  it("honours --prefix and --cwd", () => {
    expect(parseInstall(["npm", "install", "--prefix", "pkgs/a", "x"])?.dir).toBe("pkgs/a");
    expect(parseInstall(["yarn", "--cwd=web", "add", "x"])?.dir).toBe("web");
  });

  it("skips specs that name no registry package", () => {
    for (const spec of ["./local", "../x", "file:../y", "github:user/repo", "user/repo", "https://x/y.tgz", "pkg.tgz", "git+ssh://x"]) expect(packageOf(spec), spec).toBeNull();
  });
});
