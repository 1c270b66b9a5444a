import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestRepo } from "../helpers/git-repo.js";

/**
 * The launcher runs `check` from a CommonJS bundle with V8's code cache (bin/plumbline.js). An
 * install is copied aside, so its cache can be damaged without touching the one the other
 * tests use.
 */
const ROOT = join(import.meta.dirname, "..", "..");
const install = mkdtempSync(join(tmpdir(), "plumbline-install-"));
mkdirSync(join(install, "bin"));
copyFileSync(join(ROOT, "bin/plumbline.js"), join(install, "bin/plumbline.js"));
mkdirSync(join(install, "dist/cli"), { recursive: true });
copyFileSync(join(ROOT, "dist/cli/main.js"), join(install, "dist/cli/main.js"));
// The bundle and its cache are newer than dist/cli, as a build leaves them.
cpSync(join(ROOT, "dist/bundle"), join(install, "dist/bundle"), { recursive: true });
cpSync(join(ROOT, "dist/hooks"), join(install, "dist/hooks"), { recursive: true });
symlinkSync(join(ROOT, "node_modules"), join(install, "node_modules"));
const cacheFile = join(install, "dist/bundle/check.cjs.cache");
const pristine = readFileSync(cacheFile);

const repo = createTestRepo({
  "invariants/layers.yml": `version: 1\ninvariants:\n  - id: core-is-pure\n    kind: import-boundary\n    why: The core is evaluated everywhere.\n    from: ["src/core/**"]\n    forbid: ["src/adapters/**"]\n`,
  "src/core/a.ts": `import { b } from "../adapters/b";\nexport const a = b;\n`,
  "src/adapters/b.ts": `export const b = 1;\n`,
});
afterAll(() => {
  repo.cleanup();
  rmSync(install, { recursive: true, force: true });
});

const check = () => {
  const r = spawnSync(process.execPath, [join(install, "bin/plumbline.js"), "check", repo.dir, "--format", "json"], { encoding: "utf8", env: { ...process.env, PLUMBLINE_DEBUG_CODE_CACHE: "1" } });
  const report = JSON.parse(r.stdout) as { findings: Array<{ invariant: string; path: string }> };
  const fellBack = r.stderr.includes("check bundle not loaded");
  return { code: r.status, cache: fellBack ? "none: ES modules ran" : /code cache (\w+)/.exec(r.stderr)?.[1], findings: report.findings.map((f) => `${f.invariant} ${f.path}`) };
};

describe("check's compiled-code cache", () => {
  it("is made by the build for the exact bundle, and used", () => {
    const bundle = readFileSync(join(ROOT, "dist/bundle/check.cjs"));
    expect(pristine.subarray(0, 32).equals(createHash("sha256").update(bundle).digest())).toBe(true);
    expect(check()).toEqual({ code: 1, cache: "accepted", findings: ["core-is-pure src/core/a.ts"] });
  });

  it("is not offered for other bytes, and a cache V8 refuses or none at all gives the same verdict", () => {
    // Another bundle's digest: never offered to V8, which would check little more than the length.
    writeFileSync(cacheFile, Buffer.concat([Buffer.alloc(32, 7), pristine.subarray(32)]));
    expect(check()).toEqual({ code: 1, cache: "absent", findings: ["core-is-pure src/core/a.ts"] });
    // The right digest over damaged data: V8 rejects it and compiles.
    writeFileSync(cacheFile, Buffer.concat([pristine.subarray(0, 32), Buffer.alloc(pristine.length - 32, 1)]));
    expect(check()).toEqual({ code: 1, cache: "rejected", findings: ["core-is-pure src/core/a.ts"] });
    rmSync(cacheFile);
    expect(check()).toEqual({ code: 1, cache: "absent", findings: ["core-is-pure src/core/a.ts"] });
  });

  it("runs the same check from the ES modules when the bundle does not load", () => {
    writeFileSync(join(install, "dist/bundle/check.cjs"), 'throw new Error("a half-written bundle");\n');
    expect(check()).toEqual({ code: 1, cache: "none: ES modules ran", findings: ["core-is-pure src/core/a.ts"] });
  });
});
