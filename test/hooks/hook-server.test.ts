import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestRepo, type TestRepo } from "../helpers/git-repo.js";
import { BASE_FILES, event, POLICY } from "../helpers/hook-fixtures.js";
import { alive, buildOf, hookAsync, hookSync, IN_PROCESS, pidFromFile, ping, sendRaw, serverDir, serverProcesses, stopServers, VIA_SERVER, waitFor } from "../helpers/hook-server-harness.js";

/**
 * `plumbline hook claude-code` through its resident server: real processes, real repositories.
 * The server may only make the hook faster: every answer must be byte-for-byte what the
 * in-process path prints, and whatever happens to the server, the call is answered.
 */

let repos: TestRepo[] = [];
const repo = (files: Record<string, string | null> = BASE_FILES) => {
  const r = createTestRepo(files);
  repos.push(r);
  return r;
};
afterEach(async () => {
  const strays: number[] = [];
  for (const r of repos) strays.push(...(await stopServers(r.dir)));
  for (const r of repos) r.cleanup();
  repos = [];
  expect(strays, "servers still running after --stop").toEqual([]);
});

const write = (r: TestRepo, path: string, content: string) => event(r.dir, "Write", { file_path: join(r.dir, path), content });
const VIOLATION = 'import { app } from "../github/app.js";\nexport const x = app;\n';

/** Runs the event both ways and checks the server answered it, with the same bytes and exit code. */
async function sameBothWays(r: TestRepo, input: string, args: string[] = []) {
  const before = (await ping(r.dir))?.served ?? 0;
  const viaServer = hookSync(r.dir, input, VIA_SERVER, args);
  const inProcess = hookSync(r.dir, input, IN_PROCESS, args);
  expect(viaServer).toEqual(inProcess);
  expect((await ping(r.dir))?.served, "answered by the server").toBe(before + 1);
  return viaServer;
}

describe("plumbline hook claude-code through the hook server", () => {
  it("starts the server on demand, serves the next call from it, and keeps the socket private", async () => {
    const r = repo();
    expect(pidFromFile(r.dir)).toBeNull();
    const first = hookSync(r.dir, write(r, "src/core/b.ts", "export const b = 2;\n"));
    expect(first).toEqual({ code: 0, stdout: "", stderr: "" });
    const server = await ping(r.dir);
    expect(server?.served).toBe(1);
    expect(server?.pid).toBe(pidFromFile(r.dir));
    expect(hookSync(r.dir, write(r, ".github/workflows/ci.yml", "on: pull_request\n")).stdout).toContain('"deny"');
    expect((await ping(r.dir))?.served).toBe(2);
    expect(statSync(serverDir(r.dir)).mode & 0o777).toBe(0o700);
    expect(statSync(join(serverDir(r.dir), "hook.sock")).mode & 0o777).toBe(0o600);
  });

  it("answers allow, deny and fail-closed cases with the same bytes and exit codes as the in-process path", async () => {
    const r = repo({ ...BASE_FILES, "packages/ui/package.json": '{ "name": "ui" }\n', "src/core/old.ts": 'import { app } from "../github/app.js";\nconsole.log(app);\n' });
    const events = [
      write(r, ".github/workflows/ci.yml", "on: [push, pull_request]\n"),
      event(r.dir, "Edit", { file_path: join(r.dir, "src/core/a.ts"), old_string: "export const a = 1;", new_string: 'import { app } from "../github/app.js";\nexport const a = app;' }),
      event(r.dir, "Bash", { command: "npm install --save-dev left-pad@1.3.0" }),
      event(r.dir, "Bash", { command: "cd packages/ui && npm i left-pad" }),
      write(r, "src/core/b.ts", "export const b = 2;\n"),
      event(r.dir, "Edit", { file_path: join(r.dir, "src/core/a.ts"), old_string: "= 1", new_string: "= 2" }),
      event(r.dir, "Edit", { file_path: join(r.dir, "src/core/old.ts"), old_string: "console.log(app);", new_string: "console.log(app);\nconsole.log(2);" }),
      event(r.dir, "MultiEdit", { file_path: join(r.dir, "src/core/a.ts"), edits: [{ old_string: "export const a = 1;", new_string: "export const a = 1;\nconst x = 0;" }, { old_string: "const x = 0;", new_string: "console.log(0);" }] }),
      event(r.dir, "Edit", { file_path: join(r.dir, "src/core/a.ts"), old_string: "not there", new_string: "x" }),
      event(r.dir, "Bash", { command: "rm -f .github/workflows/ci.yml" }),
      event(r.dir, "Bash", { command: "cat <<'EOF' > src/core/c.ts\nimport { app } from \"../github/app.js\";\nexport const c = app;\nEOF\n" }),
      event(r.dir, "Bash", { command: "ls -la && npm test" }),
      write(r, "invariants/a.yml", POLICY.replace(/ {2}- id: no-console[\s\S]*$/, "")),
      event(r.dir, "Read", { file_path: join(r.dir, "src/core/a.ts") }),
      event(r.dir, "Write", { file_path: 42 }),
      JSON.stringify({ hook_event_name: "PreToolUse", tool_name: "Write", tool_input: { file_path: join(r.dir, "src/core/d.ts"), content: VIOLATION } }),
    ];
    const decisions = [];
    for (const input of events) decisions.push((await sameBothWays(r, input)).stdout.includes('"deny"'));
    expect(decisions.filter(Boolean).length, "the scenarios include denials").toBeGreaterThanOrEqual(8);
    expect(decisions.filter((d) => !d).length, "and allows").toBeGreaterThanOrEqual(5);
    // --agent travels with the request.
    await sameBothWays(r, write(r, ".github/workflows/ci.yml", "on: pull_request\n"), ["--agent", "acme-fixer"]);
    // Input the client does not route (not JSON) is judged in-process: same bytes, exit 2.
    const bad = hookSync(r.dir, "{ not json");
    expect(bad).toEqual(hookSync(r.dir, "{ not json", IN_PROCESS));
    expect(bad.code).toBe(2);
  }, 120_000);

  it("fails closed the same way on an invalid or symlinked committed policy", async () => {
    const invalid = repo({ ...BASE_FILES, "invariants/a.yml": "version: 1\ninvariants:\n  - id: x\n    kind: no-such-kind\n    why: y\n" });
    expect((await sameBothWays(invalid, write(invalid, "src/core/b.ts", "export const b = 1;\n"))).stdout).toContain("fails closed");
    const sym = repo({ ...BASE_FILES, "invariants/a.yml": null, "policy.yml": POLICY });
    mkdirSync(join(sym.dir, "invariants"));
    symlinkSync("../policy.yml", join(sym.dir, "invariants/a.yml"));
    sym.commit({}, "policy as a symlink");
    expect((await sameBothWays(sym, write(sym, "src/core/b.ts", "export const b = 1;\n"))).stdout).toContain("symlink");
  }, 60_000);

  it("sees files changed, removed or created on disk between calls (same size, new mtime)", async () => {
    const r = repo({ ...BASE_FILES, "src/core/legacy.ts": VIOLATION });
    // With the racy window off, the server trusts stats at once: only size and mtime tell it a file changed.
    const env = { ...VIA_SERVER, PLUMBLINE_HOOK_SERVER_RACY_MS: "0" };
    const again = write(r, "src/core/legacy.ts", VIOLATION);
    expect(hookSync(r.dir, again, env).stdout).toBe(""); // the violation persists: allowed
    const cleaned = VIOLATION.replace(/^import .*;$/m, (m) => `//${" ".repeat(m.length - 2)}`);
    expect(cleaned.length).toBe(VIOLATION.length);
    writeFileSync(join(r.dir, "src/core/legacy.ts"), cleaned);
    // Now it would be introduced again: a server holding the old bytes would still allow it.
    const denied = hookSync(r.dir, again, env);
    expect(denied.stdout).toContain("core-is-pure");
    expect(denied).toEqual(hookSync(r.dir, again, IN_PROCESS));

    const importsNew = write(r, "src/core/n.ts", 'import "../github/new.js";\n');
    expect(hookSync(r.dir, importsNew, env).stdout).toBe(""); // nothing to import yet
    writeFileSync(join(r.dir, "src/github/new.ts"), "export const n = 1;\n");
    expect(hookSync(r.dir, importsNew, env).stdout).toContain("core-is-pure");
    rmSync(join(r.dir, "src/github/new.ts"));
    expect(hookSync(r.dir, importsNew, env).stdout).toBe("");
    expect((await ping(r.dir))?.served).toBe(5);
  }, 60_000);

  it("picks up a policy change committed to HEAD", async () => {
    const r = repo();
    const input = write(r, "src/core/x.ts", VIOLATION);
    expect((await sameBothWays(r, input)).stdout).toContain("core-is-pure");
    r.commit({ "invariants/a.yml": POLICY.replace('forbid: ["src/github/**"]', 'forbid: ["src/nothing/**"]') }, "loosen the boundary");
    expect((await sameBothWays(r, input)).stdout).toBe("");
    r.commit({ "invariants/a.yml": POLICY }, "tighten it again");
    expect((await sameBothWays(r, input)).stdout).toContain("core-is-pure");
  }, 60_000);

  it("answers after the server is SIGKILLed (stale socket left behind), and restarts it", async () => {
    const r = repo();
    const input = write(r, ".github/workflows/ci.yml", "on: pull_request\n");
    const expected = hookSync(r.dir, input, IN_PROCESS);
    expect(hookSync(r.dir, input)).toEqual(expected);
    const killed = pidFromFile(r.dir)!;
    process.kill(killed, "SIGKILL");
    expect(await waitFor(() => !alive(killed), 5000)).toBe(true);
    expect(statSync(join(serverDir(r.dir), "hook.sock")).isSocket()).toBe(true);
    expect(hookSync(r.dir, input)).toEqual(expected);
    const restarted = await ping(r.dir);
    expect(restarted?.pid).not.toBe(killed);
    expect(restarted?.served).toBe(1);
  });

  it("falls back in-process when the server hangs, within the client's timeout", async () => {
    const r = repo();
    const input = write(r, "src/core/x.ts", VIOLATION);
    hookSync(r.dir, input);
    const pid = pidFromFile(r.dir)!;
    process.kill(pid, "SIGSTOP");
    try {
      const started = Date.now();
      expect(hookSync(r.dir, input, { ...VIA_SERVER, PLUMBLINE_HOOK_SERVER_TIMEOUT_MS: "500" })).toEqual(hookSync(r.dir, input, IN_PROCESS));
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      process.kill(pid, "SIGCONT");
    }
  });

  it("replaces a stale socket and a lock naming a dead process", async () => {
    const r = repo();
    const dir = serverDir(r.dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const listener = spawn(process.execPath, ["-e", `require("node:net").createServer().listen(${JSON.stringify(join(dir, "hook.sock"))}, () => console.log("up"))`]);
    await new Promise((resolve) => listener.stdout.once("data", resolve));
    listener.kill("SIGKILL");
    await new Promise((resolve) => listener.once("exit", resolve));
    writeFileSync(join(dir, "server.pid"), `${listener.pid}\n`);
    const input = write(r, "src/core/x.ts", VIOLATION);
    expect(hookSync(r.dir, input)).toEqual(hookSync(r.dir, input, IN_PROCESS));
    expect((await ping(r.dir))?.pid).not.toBe(listener.pid);
  });

  it("exits after its idle timeout and when its repository disappears", async () => {
    const r = repo();
    hookSync(r.dir, write(r, "src/core/b.ts", "export const b = 2;\n"), { ...VIA_SERVER, PLUMBLINE_HOOK_SERVER_IDLE_MS: "3000" });
    const pid = pidFromFile(r.dir)!;
    expect(alive(pid)).toBe(true);
    expect(await waitFor(() => !alive(pid), 15_000)).toBe(true);
    expect(pidFromFile(r.dir)).toBeNull();
    expect(() => statSync(join(serverDir(r.dir), "hook.sock"))).toThrow();
    // It saved its module records where `plumbline check` and the in-process hook read them.
    expect(readFileSync(join(r.dir, ".git/plumbline/records.ndjson"), "utf8")).toContain("module-records");

    const gone = repo();
    hookSync(gone.dir, write(gone, "src/core/b.ts", "export const b = 2;\n"));
    const orphan = pidFromFile(gone.dir)!;
    rmSync(gone.dir, { recursive: true, force: true });
    expect(await waitFor(() => !alive(orphan), 10_000)).toBe(true);
  });

  it("answers 5 concurrent clients, cold and warm, with one server", async () => {
    const r = repo();
    const inputs = [write(r, ".github/workflows/ci.yml", "x\n"), write(r, "src/core/b.ts", "export const b = 1;\n"), write(r, "src/core/c.ts", VIOLATION), event(r.dir, "Bash", { command: "npm i left-pad" }), event(r.dir, "Bash", { command: "ls" })];
    const expected = inputs.map((i) => hookSync(r.dir, i, IN_PROCESS));
    expect(await Promise.all(inputs.map((i) => hookAsync(r.dir, i)))).toEqual(expected);
    expect(await Promise.all(inputs.map((i) => hookAsync(r.dir, i)))).toEqual(expected);
    // Clients that found no server each started one; all but the lock holder have left.
    expect(await waitFor(() => serverProcesses(r.dir).length === 1, 5000)).toBe(true);
    expect(serverProcesses(r.dir)).toEqual([pidFromFile(r.dir)]);
    expect((await ping(r.dir))?.served).toBe(10);
  }, 60_000);

  it("refuses requests for another repository, malformed or oversized requests, and other builds", async () => {
    const r = repo();
    const other = repo();
    hookSync(r.dir, write(r, "src/core/b.ts", "export const b = 2;\n"));
    const build = await buildOf();
    const body = Buffer.from(write(other, "src/core/x.ts", VIOLATION));
    const header = { op: "hook", build, root: other.dir, cwd: other.dir, agent: "claude-code", cache: true, now: Date.now(), bytes: body.length };
    expect(await sendRaw(r.dir, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]))).toMatchObject({ ok: false });
    const sneaky = { ...header, root: realpathSync(r.dir) };
    expect(await sendRaw(r.dir, Buffer.concat([Buffer.from(`${JSON.stringify(sneaky)}\n`), body]))).toMatchObject({ ok: false, refused: expect.stringContaining("is not in") });
    expect(await sendRaw(r.dir, Buffer.from("x".repeat(70 * 1024)))).toEqual({ ok: false, refused: "request header too large" });
    expect(await sendRaw(r.dir, Buffer.from('{"op":"hook"}\n'))).toEqual({ ok: false, refused: "malformed request" });
    expect(await sendRaw(r.dir, Buffer.concat([Buffer.from(`${JSON.stringify({ ...sneaky, bytes: 1 })}\n`), body]))).toEqual({ ok: false, refused: "more bytes than announced" });
    expect((await ping(r.dir))?.served).toBe(1);
    const pid = pidFromFile(r.dir)!;
    expect(await sendRaw(r.dir, Buffer.from(`${JSON.stringify({ op: "ping", build: "0.0.0:old", bytes: 0 })}\n`))).toMatchObject({ ok: false });
    expect(await waitFor(() => !alive(pid), 5000)).toBe(true);
    expect(readFileSync(join(serverDir(r.dir), "server.log"), "utf8")).toContain("exit: stale-build");
  });
});
