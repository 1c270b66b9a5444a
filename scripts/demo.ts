/**
 * `npm run demo`: the whole product on one machine with no GitHub credentials. A stateful GitHub
 * fake (real HTTP, real git), the Probot webhook server, BullMQ workers and Redis play an agent
 * session and print every conclusion, annotation and summary.
 */
import { randomBytes } from "node:crypto";
import pino from "pino";
import { loadAppConfig } from "../src/github/app-config.js";
import { startPlumbline } from "../src/runtime/start-plumbline.js";
import { createFakeGitHub, type FakeGitHub } from "../test/fake-github/index.js";
import { ensureDemoRedis } from "./demo-redis.js";

const POLICY = `version: 1
invariants:
  - id: domain-is-pure
    kind: import-boundary
    why: The domain is shared by the API and the workers; it must not depend on infrastructure.
    owner: "@shop/platform"
    from: ["src/domain/**"]
    forbid: ["src/infra/**", "pg", "ioredis"]
  - id: no-request-lib
    kind: forbidden-dependency
    why: request is deprecated and unmaintained; use fetch.
    packages: ["request", "left-pad"]
  - id: sql-in-repositories
    kind: data-access
    why: Raw SQL lives in repositories, where it is reviewed and tested.
    patterns: ['\\bSELECT\\b[\\s\\S]{0,200}?\\bFROM\\b']
    allow: ["src/infra/repositories/**"]
  - id: agents-leave-ci-alone
    kind: execution-scope
    why: Agents may not change CI or the invariants that bind them.
    actors: agents
    deny: [".github/workflows/**", "invariants/**"]
`;

const CLAUDE = { login: "claude[bot]", id: 209825114, type: "Bot" as const };
const REPO = "shop/orders";
const line = (s = "") => process.stdout.write(s + "\n");

async function main() {
  const redis = await ensureDemoRedis();
  line(`Redis: ${redis.url}${redis.started ? " (started for the demo)" : ""}`);
  const webhookSecret = `demo-${randomBytes(12).toString("hex")}`;
  const fake = await createFakeGitHub({ webhookSecret });
  const prefix = `pldemo-${randomBytes(4).toString("hex")}`;
  const config = loadAppConfig({ APP_ID: String(fake.appId), PRIVATE_KEY: fake.privateKeyPem, WEBHOOK_SECRET: webhookSecret, REDIS_URL: redis.url, GITHUB_API_URL: fake.url, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" });
  const app = await startPlumbline(config, { web: true, workers: true, prefix, log: pino({ level: "silent" }) });
  fake.setWebhookTarget(app.web!.webhookUrl);
  line(`GitHub fake: ${fake.url}   Plumbline webhooks: ${app.web!.webhookUrl}`);
  try {
    await play(fake);
  } finally {
    await app.close();
    await fake.close();
    await redis.stop();
  }
}

async function play(fake: FakeGitHub) {
  const { id } = fake.createInstallation({ account: { login: "shop", type: "Organization" } });
  await fake.createRepo(id, { owner: "shop", name: "orders" });
  await fake.commit(REPO, {
    branch: "main",
    message: "orders service",
    files: {
      "invariants/architecture.yml": POLICY,
      "package.json": JSON.stringify({ name: "orders", dependencies: { pg: "^8.11.0" } }, null, 2) + "\n",
      "src/domain/order.ts": "export interface Order { id: string; total: number }\nexport const total = (o: Order) => o.total;\n",
      "src/infra/db.ts": "import pg from 'pg';\nexport const pool = new pg.Pool();\n",
      "src/infra/repositories/orders.ts": "import { pool } from '../db';\nexport const all = () => pool.query('SELECT id, total FROM orders');\n",
      ".github/workflows/ci.yml": "on: push\njobs: {}\n",
    },
  });
  line(`\nRepository ${REPO} with ${POLICY.match(/- id:/g)!.length} invariants on main.`);

  await step(fake, "1. The agent makes the domain load orders straight from the database", "claude/order-totals", {
    "src/domain/order.ts": "import { pool } from '../infra/db';\nexport interface Order { id: string; total: number }\nexport const total = async (id: string) => (await pool.query('SELECT total FROM orders WHERE id = $1', [id])).rows[0].total;\n",
  });
  await step(fake, "2. The agent's \"fix\": drop the import, pull in `request` and keep the SQL", "claude/order-totals", {
    "src/domain/order.ts": "import request from 'request';\nexport interface Order { id: string; total: number }\nexport const sql = 'SELECT total FROM orders WHERE id = $1';\nexport const total = (o: Order) => o.total;\nexport const fetchLegacy = (u: string) => request(u);\n",
    "package.json": JSON.stringify({ name: "orders", dependencies: { pg: "^8.11.0", request: "^2.88.2" } }, null, 2) + "\n",
  });
  await step(fake, "3. The real fix: a repository function, the domain stays pure", "claude/order-totals", {
    "src/domain/order.ts": "export interface Order { id: string; total: number }\nexport const total = (o: Order) => o.total;\n",
    "src/infra/repositories/orders.ts": "import { pool } from '../db';\nexport const all = () => pool.query('SELECT id, total FROM orders');\nexport const totalOf = async (id: string) => (await pool.query('SELECT total FROM orders WHERE id = $1', [id])).rows[0].total;\n",
    "package.json": JSON.stringify({ name: "orders", dependencies: { pg: "^8.11.0" } }, null, 2) + "\n",
  });

  line("\n4. The agent opens a pull request");
  const n = await fake.openPullRequest(REPO, { head: "claude/order-totals", base: "main", title: "Order totals", user: CLAUDE });
  const head = (await fake.branchTip(REPO, "claude/order-totals"))!;
  const seen = fake.checkRuns(REPO, head)[0]?.history.length ?? 0;
  await fake.deliver("pull_request", await fake.events.pullRequest(REPO, n, "opened", { sender: CLAUDE }));
  print(await concluded(fake, head, seen));

  line("\n5. The pull request enters the merge queue");
  const group = await fake.createMergeGroup(REPO, n);
  await fake.deliver("merge_group", await fake.events.mergeGroup(REPO, group));
  print(await concluded(fake, group.headSha));
  line(`\nUnexpected API requests made by the app: ${fake.unexpectedRequests.length}`);
}

async function step(fake: FakeGitHub, title: string, branch: string, files: Record<string, string>) {
  line(`\n${title}`);
  const { sha } = await fake.push(REPO, { branch, files, message: title, sender: CLAUDE, author: { name: "Claude", email: "noreply@anthropic.com" } });
  print(await concluded(fake, sha));
}

type Run = ReturnType<FakeGitHub["checkRuns"]>[number];

/** The run once completed; with `after`, only once it was updated past that many writes (a re-evaluation). */
async function concluded(fake: FakeGitHub, sha: string, after = 0): Promise<Run> {
  const until = Date.now() + 60_000;
  for (;;) {
    const run = fake.checkRuns(REPO, sha).find((r) => r.status === "completed" && r.history.length > after);
    if (run) return run;
    if (Date.now() > until) throw new Error(`no conclusion for ${sha} within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function print(run: Run) {
  line(`   check run "${run.name}" on ${run.headSha.slice(0, 7)}: ${run.conclusion?.toUpperCase()}  ${run.title ?? ""}`);
  for (const a of run.annotations) line(`   ${a.annotation_level.padEnd(7)} ${a.path}:${a.start_line}  ${a.title ? `[${a.title}] ` : ""}${a.message.split("\n")[0]}`);
  line("   summary:");
  for (const l of (run.summary ?? "").replace(/<!--[\s\S]*?-->/g, "").trim().split("\n")) line(`   | ${l}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
