import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { generateRepo } from "./generate-repo.js";
import { PLUMBLINE_BIN, plumblineCacheDir } from "./tools.js";

/**
 * Wall time of `plumbline hook claude-code` per tool call, process start included, as Claude
 * Code pays it: cold (no record cache) and warm (cache present), median of --runs.
 * `tsx bench/hook-latency.ts [--files 1000] [--runs 9]` (needs `npm run build`).
 */

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const files = arg("--files", 1000);
const runs = arg("--runs", 9);

const repo = generateRepo({ files });
const target = spawnSync("git", ["ls-files", "src/core"], { cwd: repo.dir, encoding: "utf8" }).stdout.split("\n").find((p) => p.endsWith(".ts"))!;
const text = readFileSync(join(repo.dir, target), "utf8");
const adapter = spawnSync("git", ["ls-files", "src/adapters"], { cwd: repo.dir, encoding: "utf8" }).stdout.split("\n").find((p) => p.endsWith(".ts"))!;
const violating = `import "./${relative(dirname(target), adapter).replace(/\.ts$/, ".js")}";\n`.replace("./../", "../");
const event = (tool: string, input: Record<string, unknown>) => JSON.stringify({ session_id: "bench", cwd: repo.dir, hook_event_name: "PreToolUse", tool_name: tool, tool_input: input });
const events = {
  "Write (clean edit)": event("Write", { file_path: join(repo.dir, target), content: `${text}\nexport const benchExtra = 1;\n` }),
  "Edit (adds a violation)": event("Edit", { file_path: join(repo.dir, target), old_string: text, new_string: violating + text }),
  "Bash (npm install, no rule)": event("Bash", { command: "npm install left-pad" }),
  "Bash (changes no file)": event("Bash", { command: "git status && npm test" }),
};

function once(input: string): { ms: number; decision: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [PLUMBLINE_BIN, "hook", "claude-code"], { cwd: repo.dir, input, encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`hook exited ${r.status}: ${r.stderr}`);
  return { ms, decision: r.stdout.includes('"deny"') ? "deny" : "allow" };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

process.stdout.write(`${files}-file repository (${repo.sourceFiles} source files), ${runs} runs per row, node ${process.version}\n`);
for (const [label, input] of Object.entries(events)) {
  const cold: number[] = [];
  const warm: number[] = [];
  let decision = "";
  for (let i = 0; i < runs; i++) {
    rmSync(plumblineCacheDir(repo.dir), { recursive: true, force: true });
    cold.push(once(input).ms);
    const w = once(input);
    warm.push(w.ms);
    decision = w.decision;
  }
  process.stdout.write(`${label.padEnd(28)} ${decision.padEnd(6)} cold ${Math.round(median(cold))} ms   warm ${Math.round(median(warm))} ms\n`);
}
const version = spawnSync(process.execPath, [PLUMBLINE_BIN, "version"], { encoding: "utf8" });
const starts: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  spawnSync(process.execPath, [PLUMBLINE_BIN, "version"]);
  starts.push(performance.now() - t);
}
process.stdout.write(`floor: \`plumbline version\` (node start + CLI module graph) ${Math.round(median(starts))} ms (${version.stdout.trim()})\n`);
rmSync(repo.dir, { recursive: true, force: true });
