import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { generateRepo } from "./generate-repo.js";
import { ms, percentile } from "./latency-stats.js";
import { PLUMBLINE_BIN, plumblineCacheDir } from "./tools.js";

/**
 * Wall time of `plumbline hook claude-code` per tool call, process start included, as Claude
 * Code pays it, plus the CPU it costs (the client's own, and the hook server's per call).
 *   in-process: PLUMBLINE_HOOK_SERVER=0, cold (no record cache) and warm (cache present);
 *   server: no server yet (the call starts it and waits), the server's start-up until it answers,
 *   then warm calls p50/p95 per kind of call.
 * `tsx bench/hook-latency.ts [--files 1000] [--runs 9] [--warm 40]` (needs `npm run build`).
 */

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const files = arg("--files", 1000);
const runs = arg("--runs", 9);
const warmRuns = arg("--warm", 40);

const repo = generateRepo({ files });
const target = spawnSync("git", ["ls-files", "src/core"], { cwd: repo.dir, encoding: "utf8" }).stdout.split("\n").find((p) => p.endsWith(".ts"))!;
const text = readFileSync(join(repo.dir, target), "utf8");
const adapter = spawnSync("git", ["ls-files", "src/adapters"], { cwd: repo.dir, encoding: "utf8" }).stdout.split("\n").find((p) => p.endsWith(".ts"))!;
const violating = `import "./${relative(dirname(target), adapter).replace(/\.ts$/, ".js")}";\n`.replace("./../", "../");
const event = (tool: string, input: Record<string, unknown>) => JSON.stringify({ session_id: "bench", cwd: repo.dir, hook_event_name: "PreToolUse", tool_name: tool, tool_input: input });
/** Each call differs (`i`), as an agent's do: a repeated identical call would be served from the server's snapshot memo. */
const events: Record<string, (i: number) => string> = {
  "Write (clean edit)": (i) => event("Write", { file_path: join(repo.dir, target), content: `${text}\nexport const benchExtra${i} = ${i};\n` }),
  "Edit (adds a violation)": (i) => event("Edit", { file_path: join(repo.dir, target), old_string: text, new_string: `${violating}// call ${i}\n${text}` }),
  "Bash (npm install, no rule)": (i) => event("Bash", { command: `npm install left-pad-${i}` }),
  "Bash (changes no file)": () => event("Bash", { command: "git status && npm test" }),
};

/** Reports the client's CPU (user + system, Node's start included) on stderr as it exits. */
const CPU_PROBE = `data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("\\n@@cpu "+(u.user+u.system)/1000+"\\n")})`;
const IN_PROCESS = { PLUMBLINE_HOOK_SERVER: "0" };

interface Call {
  readonly ms: number;
  readonly cpu: number;
  readonly decision: string;
  readonly stdout: string;
}

function once(input: string, env: Record<string, string> = {}): Call {
  const t = performance.now();
  const r = spawnSync(process.execPath, ["--import", CPU_PROBE, PLUMBLINE_BIN, "hook", "claude-code"], { cwd: repo.dir, input, encoding: "utf8", env: { ...process.env, ...env } });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`hook exited ${r.status}: ${r.stderr}`);
  const cpu = Number(/@@cpu ([\d.]+)/.exec(r.stderr)?.[1] ?? Number.NaN);
  return { ms: wall, cpu, decision: r.stdout.includes('"deny"') ? "deny" : "allow", stdout: r.stdout };
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const p = (xs: readonly number[], q: number) => ms(percentile(sorted(xs), q));
const server = (args: string[]) => spawnSync(process.execPath, [PLUMBLINE_BIN, "hook-server", ...args, repo.dir], { encoding: "utf8" });

/** CPU the server process and its git children used so far (Linux /proc; NaN elsewhere). */
function serverCpu(): number {
  try {
    const pid = readFileSync(join(plumblineCacheDir(repo.dir), "hook-server", "server.pid"), "utf8").trim();
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return (ticks * 1000) / Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);
  } catch {
    return Number.NaN;
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);
out(`${files}-file repository (${repo.sourceFiles} source files), node ${process.version}, load average ${readLoad()}`);

out(`\nin-process (PLUMBLINE_HOOK_SERVER=0), median of ${runs}: wall ms (client CPU ms)`);
const inProcess = new Map<string, string>();
for (const [label, input] of Object.entries(events)) {
  const cold: Call[] = [];
  const warm: Call[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(plumblineCacheDir(repo.dir), "records.ndjson"), { force: true });
    cold.push(once(input(i), IN_PROCESS));
    warm.push(once(input(i), IN_PROCESS));
  }
  inProcess.set(label, warm.at(-1)!.stdout);
  const cell = (cs: Call[]) => `${p(cs.map((c) => c.ms), 50)} (${p(cs.map((c) => c.cpu), 50)})`;
  out(`  ${label.padEnd(28)} ${warm.at(-1)!.decision.padEnd(6)} cold ${cell(cold).padEnd(12)} warm ${cell(warm)}`);
}

out(`\nhook server`);
server(["--stop"]);
const first = once(events["Write (clean edit)"]!(1000));
out(`  no server running: the call starts one and waits for it  ${ms(first.ms)} ms (client CPU ${ms(first.cpu)})`);
server(["--stop"]);
// Start-up as the server logs it: spawned, engine loaded, listening, then primed (tree read,
// policy compiled, tree snapshotted), which is when a call gets warm latency.
const log = join(plumblineCacheDir(repo.dir), "hook-server", "server.log");
rmSync(log, { force: true });
const t0 = performance.now();
const child = spawn(process.execPath, [PLUMBLINE_BIN, "hook-server", repo.dir], { detached: true, stdio: "ignore" });
child.unref();
let listening = Number.NaN;
let ready = Number.NaN;
while (Number.isNaN(ready) && performance.now() - t0 < 30_000) {
  const text = existsSync(log) ? readFileSync(log, "utf8") : "";
  if (Number.isNaN(listening) && text.includes(" serving ")) listening = performance.now() - t0;
  if (text.includes(" primed ")) ready = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
}
out(`  server start-up: listening after ${ms(listening)} ms, primed after ${ms(ready)} ms (server CPU ${ms(serverCpu())} ms)`);
const second = once(events["Write (clean edit)"]!(1001));
out(`  first call to the fresh server                            ${ms(second.ms)} ms (client CPU ${ms(second.cpu)})`);

out(`  warm calls, ${warmRuns} per row: wall p50 / p95 ms, client CPU p50 ms, server CPU per call ms; same answer as in-process`);
for (const [label, input] of Object.entries(events)) {
  const calls: Call[] = [];
  const cpu0 = serverCpu();
  for (let i = 0; i < warmRuns; i++) calls.push(once(input(2000 + i)));
  const perCall = (serverCpu() - cpu0) / warmRuns;
  // The in-process rows ran call runs-1; the same call through the server must print the same bytes.
  const same = once(input(runs - 1)).stdout === inProcess.get(label);
  out(`  ${label.padEnd(28)} ${calls[0]!.decision.padEnd(6)} p50 ${p(calls.map((c) => c.ms), 50).padStart(4)}  p95 ${p(calls.map((c) => c.ms), 95).padStart(4)}  client CPU ${p(calls.map((c) => c.cpu), 50).padStart(4)}  server CPU ${ms(perCall).padStart(4)}  ${same ? "identical" : "DIFFERENT"}`);
}
server(["--stop"]);

const floor = (args: string[]) => {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(process.execPath, args);
    xs.push(performance.now() - t);
  }
  return p(xs, 50);
};
out(`\nfloor: \`node -e 0\` ${floor(["-e", "0"])} ms; \`plumbline version\` (node start + CLI entry) ${floor([PLUMBLINE_BIN, "version"])} ms`);
rmSync(repo.dir, { recursive: true, force: true });

function readLoad(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}
