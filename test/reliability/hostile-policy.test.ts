import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileRegex } from "../../src/core/regex.js";
import { deliveryHeaders, postRaw, sign256 } from "./raw-http.js";
import { CLEAN, HUMAN, startRig, waitFor, type Rig } from "./rig.js";

/**
 * Invariant files and payloads are written by whoever can push or call the webhook, agents
 * included. Each hostile input has a bound: linear-time regexes, YAML that cannot expand or
 * instantiate anything, keys that cannot reach Object.prototype. The workers run in this
 * process, so `({}).polluted` below is the worker's own prototype.
 */

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => rig?.close());

/** A repository whose default branch carries `policy`, and a verdict on a push judged by it. */
async function judgedBy(name: string, policyFiles: Record<string, string>, pushFiles: Record<string, string> = { "src/b.ts": CLEAN }) {
  const repo = `acme/${name}`;
  await rig.fake.createRepo(rig.installationId, { owner: "acme", name });
  await rig.fake.commit(repo, { branch: "main", message: "policy", files: { ...policyFiles, "src/a.ts": CLEAN } });
  const t0 = Date.now();
  const { sha } = await rig.fake.push(repo, { branch: "work", message: "m", files: pushFiles, sender: HUMAN });
  const run = await waitFor(`the run on ${repo}`, () => rig.fake.checkRuns(repo, sha).find((r) => r.status === "completed"), 30_000);
  return { run, ms: Date.now() - t0 };
}

const polluted = () => ({}) as Record<string, unknown>;

describe("hostile invariant files and payloads", () => {
  it("a catastrophic regex runs in linear time: (a+)+$ over 5 MB in < 1 s, and end to end", async () => {
    const re = compileRegex("(a+)+$", ["forbid"]);
    const text = `${"a".repeat(5 * 1024 * 1024)}!`;
    const t0 = performance.now();
    const hit = re.test(text);
    const matches = re.matchAll(text).length;
    const ms = performance.now() - t0;
    console.info(`[policy] (a+)+$ over 5 MiB: test + matchAll in ${Math.round(ms)} ms (V8 needs ~2.7 s for 26 characters)`);
    expect(hit).toBe(false);
    expect(matches).toBe(0);
    expect(ms).toBeLessThan(1000);

    const policy = `version: 1\ninvariants:\n  - id: no-runaway\n    kind: content\n    why: x\n    files: ["data/**"]\n    forbid: '(a+)+$'\n`;
    const { run, ms: e2e } = await judgedBy("regex", { "invariants/a.yml": policy }, { "data/a.txt": `${"a".repeat(900 * 1024)}!` });
    console.info(`[policy] same rule on a 900 KiB file through the app: ${run.conclusion} in ${e2e} ms`);
    expect(run.conclusion).toBe("success");
    expect(e2e).toBeLessThan(10_000);
  });

  it("a YAML alias bomb is refused unexpanded, annotated on its line", async () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ...Array.from({ length: 8 }, (_, i) => `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`)];
    const bomb = `version: 1\n${levels.join("\n")}\ninvariants: []\n`;
    const { run, ms } = await judgedBy("bomb", { "invariants/bomb.yml": bomb });
    console.info(`[policy] alias bomb (9⁹ nodes if expanded): ${run.conclusion} in ${ms} ms, annotated lines ${run.annotations.map((a) => a.start_line).join(",")}`);
    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: "invariants/bomb.yml", start_line: 2 }));
    expect(ms).toBeLessThan(10_000);
  });

  it("an unknown tag (!!python/object) is an error on its line, never instantiated", async () => {
    const policy = `version: 1\ninvariants:\n  - id: !!python/object/apply:os.system ["touch /tmp/pwned"]\n    kind: content\n    why: x\n    files: ["**"]\n    forbid: x\n`;
    const { run } = await judgedBy("tag", { "invariants/a.yml": policy });
    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: "invariants/a.yml", start_line: 3 }));
  });

  it("__proto__ and constructor keys in YAML are refused on their lines; the worker's prototype stays clean", async () => {
    const policy = `version: 1\n__proto__:\n  polluted: yes\ninvariants:\n  - id: x\n    kind: content\n    why: x\n    files: ["**"]\n    forbid: x\n    constructor:\n      prototype:\n        polluted: yes\n`;
    const { run } = await judgedBy("proto", { "invariants/a.yml": policy });
    expect(run.conclusion).toBe("failure");
    const lines = run.annotations.filter((a) => a.path === "invariants/a.yml").map((a) => a.start_line);
    expect(lines).toEqual(expect.arrayContaining([2, 10]));
    expect(polluted().polluted).toBeUndefined();
  });

  it("__proto__ in a webhook payload and in package.json reaches nothing", async () => {
    const policy = `version: 1\ninvariants:\n  - id: no-left-pad\n    kind: forbidden-dependency\n    why: x\n    packages: ["left-pad"]\n`;
    const pkg = `{"name":"x","__proto__":{"polluted":"pkg"},"constructor":{"prototype":{"polluted":"pkg"}},"dependencies":{"left-pad":"1.3.0","__proto__":{"polluted":"deps"}}}\n`;
    const { run } = await judgedBy("proto-pkg", { "invariants/a.yml": policy }, { "package.json": pkg });
    expect(run.conclusion).toBe("failure");
    expect(run.annotations.map((a) => a.path)).toContain("package.json");

    // The raw body carries the keys JSON.parse turns into own properties named __proto__.
    const repo = "acme/proto-pkg";
    const sha = await rig.fake.commit(repo, { branch: "hook", message: "m", files: { "src/c.ts": CLEAN } });
    const payload = JSON.stringify(await rig.fake.events.push(repo, { ref: "refs/heads/hook", before: "0".repeat(40), after: sha, sender: HUMAN }));
    const body = payload
      .replace(/^\{/, '{"__proto__":{"polluted":"top"},"constructor":{"prototype":{"polluted":"top"}},')
      .replace('"repository":{', '"repository":{"__proto__":{"polluted":"repo"},')
      .replace('"sender":{', '"sender":{"__proto__":{"polluted":"sender"},');
    expect(body).not.toBe(payload);
    const res = await postRaw(rig.app.web!.webhookUrl, { ...deliveryHeaders("push", randomUUID()), "x-hub-signature-256": sign256(rig.webhookSecret, body) }, body);
    expect(res.status).toBe(200);
    const hooked = await waitFor("the run", () => rig.fake.checkRuns(repo, sha).find((r) => r.status === "completed"), 30_000);
    expect(hooked.conclusion).toBeDefined();
    expect(polluted().polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false);
  });
});
