import { templateOf, type DeliveryTemplate } from "../bench/delivery-template.js";
import { branchRefFile, fakeGitDir, writeChain } from "../bench/fake-git-chain.js";
import { createSmallRepo, FEATURE_PATH, featureContent } from "../bench/small-repo.js";
import type { FakeGitHub } from "../test/fake-github/index.js";

/**
 * The soak's world in the fake: installations with small repositories, each with its pushes
 * prepared ahead as a commit chain (see bench/fake-git-chain.ts) and a payload template per
 * event, so sending a push costs a ref-file write and a string substitution.
 */

export interface SoakRepo {
  readonly name: string;
  readonly installationId: number;
  readonly branch: string;
  /** Loose ref file moved at each push. */
  readonly refFile: string;
  /** Branch tip before the first push. */
  readonly base: string;
  /** Commits to push, in order (one changed file each). */
  readonly chain: readonly string[];
  readonly pushTemplate: number;
  /** `check_suite.requested` template (GitHub sends one after every push to an app with checks). */
  readonly suiteTemplate: number;
}

export interface FleetSpec {
  /** Installation account logins; repository i belongs to owners[i % owners.length]. */
  readonly owners: readonly string[];
  readonly repos: number;
  readonly pushesPerRepo: number;
  /** Default branch pushes judge persisting violations strictly; agent branches compare with their base: both are exercised. */
  readonly branchOf: (repoIndex: number) => string;
  readonly namePrefix: string;
}

export async function createFleet(fake: FakeGitHub, templates: DeliveryTemplate[], spec: FleetSpec, installations: Map<string, number>): Promise<SoakRepo[]> {
  const out: SoakRepo[] = [];
  for (let i = 0; i < spec.repos; i++) {
    const owner = spec.owners[i % spec.owners.length]!;
    let inst = installations.get(owner);
    if (inst === undefined) {
      inst = fake.createInstallation({ account: { login: owner, type: "Organization" } }).id;
      installations.set(owner, inst);
    }
    const short = `${spec.namePrefix}-${i}`;
    const name = `${owner}/${short}`;
    const base = await createSmallRepo(fake, inst, owner, short);
    const branch = spec.branchOf(i);
    if (branch !== "main") await fake.createBranch(name, branch, "main");
    const gitDir = fakeGitDir(fake, name);
    const chain = await writeChain(
      gitDir,
      base,
      Array.from({ length: Math.max(1, spec.pushesPerRepo) }, (_, j) => ({ path: FEATURE_PATH, content: featureContent(j + 1), message: `change ${j + 1}` })),
      `${branch.replace(/\//g, "-")}`,
    );
    const push = await fake.events.push(name, { ref: branch, before: base, after: chain[0]! });
    templates.push(templateOf("push", push, { __AFTER__: chain[0]!, __BEFORE__: base }));
    const suite = (await fake.events.checkSuite(name, "requested", { headSha: base })) as { check_suite: Record<string, unknown> };
    suite.check_suite.head_branch = branch;
    templates.push(templateOf("check_suite", suite, { __AFTER__: base }));
    out.push({ name, installationId: inst, branch, refFile: branchRefFile(gitDir, branch), base, chain, pushTemplate: templates.length - 2, suiteTemplate: templates.length - 1 });
  }
  return out;
}

/**
 * The noisy installation's template: a push creating branch `__BRANCH__` at `__AFTER__`.
 * Its branches never exist in the fake (creating 10k refs would load this machine more than
 * the app): the worker's ref lookup answers 404, which it treats as "no newer tip", so each
 * push is a full evaluation that newest-wins cannot collapse, the agent-fleet worst case.
 */
export async function noisyTemplate(fake: FakeGitHub, templates: DeliveryTemplate[], repo: SoakRepo): Promise<number> {
  const placeholderBranch = "fleet-template-branch";
  const payload = await fake.events.push(repo.name, { ref: placeholderBranch, before: "0".repeat(40), after: repo.chain[0]! });
  templates.push(templateOf("push", payload, { __AFTER__: repo.chain[0]!, __BRANCH__: placeholderBranch }));
  return templates.length - 1;
}
