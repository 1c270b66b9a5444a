import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createFakeGitHub, type FakeGitHub } from "../test/fake-github/index.js";
import { startAppUnderTest } from "./app-under-test.js";
import { conclusionOf } from "./check-run-conclusion.js";
import { generateRepo } from "./generate-repo.js";
import { listTrackedFiles } from "./git.js";
import { median } from "./latency-stats.js";
import { deletePrefix, freshPrefix } from "./redis-prefix.js";
import { countKinds, REQUEST_KINDS, type KindCounts } from "./request-kinds.js";

/**
 * Push → concluded `Plumbline` check run, through the whole app in this process (fake GitHub
 * over HTTP, webhook server, BullMQ worker, real Redis), for a synthetic repository committed
 * into the fake. Each run starts the app on a fresh Redis prefix, so its first push is cold
 * (empty blob and record caches: the previous tip comes as a tarball, every file is parsed)
 * and its second push, one changed file, is warm. Timed from the webhook send (the commit and
 * payload are GitHub's work) to the completing check-run update as the fake stamped it; the
 * 250 ms newest-wins debounce is included, as a user sees it.
 */

export interface PushLatencyRow {
  readonly files: number;
  readonly cache: "cold" | "warm";
  readonly ms: readonly number[];
  /** Median per kind over the pushes (they are expected to be equal). */
  readonly requests: KindCounts;
  readonly conclusions: readonly string[];
  /** Median ms from the run's in_progress create to its completing update. */
  readonly writeGapMs: number;
}

const CONCLUDE_TIMEOUT_MS = 180_000;
/**
 * Probot's Octokit spaces an installation's writes ≥1 s apart per process (plugin-throttling's
 * write group), and a repository's first default-branch verdict starts its audit schedule,
 * whose first tick runs at once and writes two more runs. A push sent while those writes wait
 * would measure them; each push is sent after the app has been silent towards GitHub this
 * long, so the figures are one push's own latency (steady state: audits are rare).
 */
const QUIET_BEFORE_PUSH_MS = 1500;
const QUIET_WAIT_MAX_MS = 60_000;

export async function measurePushLatency(opts: { files: number; runs: number; seed?: number; log?: (s: string) => void }): Promise<PushLatencyRow[]> {
  const log = opts.log ?? (() => {});
  log(`generating ${opts.files} files`);
  const gen = generateRepo({ files: opts.files, seed: opts.seed ?? 1 });
  const fake = await createFakeGitHub({ webhookSecret: `whsec-${randomBytes(12).toString("hex")}` });
  try {
    const tracked = listTrackedFiles(gen.dir);
    const files = Object.fromEntries(tracked.map((p) => [p, readFileSync(join(gen.dir, p))]));
    const domain = tracked.filter((p) => p.startsWith("src/domain/") && p.endsWith(".ts"));
    const touch = domain[Math.floor(domain.length / 2)] ?? tracked.find((p) => p.endsWith(".ts"))!;
    const { id: inst } = fake.createInstallation({ account: { login: "bench", type: "Organization" } });
    const repo = `bench/synthetic-${opts.files}`;
    await fake.createRepo(inst, { owner: "bench", name: `synthetic-${opts.files}` });
    log(`committing ${tracked.length} files into the fake`);
    await fake.commit(repo, { branch: "main", message: "synthetic repository", files });

    const samples = { cold: [] as Sample[], warm: [] as Sample[] };
    for (let run = 1; run <= opts.runs; run++) {
      const prefix = freshPrefix(`push${opts.files}`);
      const app = await startAppUnderTest(fake, { prefix, workers: true });
      try {
        for (const cache of ["cold", "warm"] as const) {
          log(`run ${run}/${opts.runs}: ${cache} push`);
          const content = `${files[touch]!.toString()}\nexport const benchEdit${run}${cache} = ${run};\n`;
          await githubQuiet(fake);
          samples[cache].push(await pushAndWait(fake, repo, { [touch]: content }, `edit ${run} ${cache}`));
        }
      } finally {
        await app.close();
        await deletePrefix(prefix);
      }
    }
    return (["cold", "warm"] as const).map((cache) => ({
      files: opts.files,
      cache,
      ms: samples[cache].map((s) => s.ms),
      requests: Object.fromEntries([...REQUEST_KINDS, "total" as const].map((k) => [k, median(samples[cache].map((s) => s.requests[k]))])) as KindCounts,
      conclusions: samples[cache].map((s) => s.conclusion),
      writeGapMs: median(samples[cache].map((s) => s.writeGapMs)),
    }));
  } finally {
    await fake.close();
    rmSync(gen.dir, { recursive: true, force: true });
  }
}

/** Resolves once the fake has received no request for QUIET_BEFORE_PUSH_MS (bounded). */
async function githubQuiet(fake: FakeGitHub): Promise<void> {
  const until = Date.now() + QUIET_WAIT_MAX_MS;
  let seen = fake.requests.length;
  let since = Date.now();
  while (Date.now() - since < QUIET_BEFORE_PUSH_MS && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    if (fake.requests.length !== seen) {
      seen = fake.requests.length;
      since = Date.now();
    }
  }
}

interface Sample {
  readonly ms: number;
  readonly requests: KindCounts;
  readonly conclusion: string;
  readonly writeGapMs: number;
}

async function pushAndWait(fake: FakeGitHub, repo: string, files: Record<string, string>, message: string): Promise<Sample> {
  const before = (await fake.branchTip(repo, "main"))!;
  const sha = await fake.commit(repo, { branch: "main", message, files });
  const payload = await fake.events.push(repo, { ref: "main", before, after: sha });
  const firstRequest = fake.requests.length;
  const sentAt = Date.now();
  const delivery = await fake.deliver("push", payload);
  if (delivery.status < 200 || delivery.status >= 300) throw new Error(`push delivery answered ${delivery.status}: ${delivery.body}`);
  const until = Date.now() + CONCLUDE_TIMEOUT_MS;
  for (;;) {
    const c = conclusionOf(fake.checkRuns(repo, sha));
    if (c.conclusion !== null && c.firstCompletedAt !== null) {
      // Only what this push cost: requests started between the send and the conclusion.
      const spent = fake.requests.slice(firstRequest).filter((r) => r.at <= c.firstCompletedAt!);
      const created = fake.checkRuns(repo, sha).flatMap((r) => r.history).find((h) => h.op === "create")?.at ?? c.firstCompletedAt;
      return { ms: c.firstCompletedAt - sentAt, requests: countKinds(spent), conclusion: c.conclusion, writeGapMs: c.firstCompletedAt - created };
    }
    if (Date.now() > until) throw new Error(`${repo}@${sha.slice(0, 7)} not concluded within ${CONCLUDE_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
