import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FakeGitHub } from "../test/fake-github/index.js";
import { fakeGitDir } from "./fake-git-chain.js";
import { listTrackedFiles } from "./git.js";

/**
 * Installs one generated repository in the fake as many repositories, spread round robin
 * over a few installations (repository *i* belongs to installation *i* mod N). Only the first
 * is committed through `fake.commit`; every other one is a bare repository that borrows its
 * objects through `objects/info/alternates`, as `git clone --shared` does, and gets `main`
 * pointed at the same commit. So 100 repositories cost one commit plus 100 `git init`s, and
 * the app still reads 100 distinct repositories (ids, refs, check runs, caches per tenant).
 */

export interface FleetRepo {
  readonly installationId: number;
  readonly repoId: number;
  readonly owner: string;
  readonly repo: string;
  readonly fullName: string;
  /** `main`'s tip: the same commit in every repository. */
  readonly sha: string;
}

export async function installFleet(fake: FakeGitHub, opts: { sourceDir: string; repos: number; installations: number }): Promise<FleetRepo[]> {
  const installations = Array.from({ length: Math.min(opts.installations, opts.repos) }, (_, i) => {
    const owner = `fleet-${i}`;
    return { owner, id: fake.createInstallation({ account: { login: owner, type: "Organization" } }).id };
  });
  const files = Object.fromEntries(listTrackedFiles(opts.sourceDir).map((p) => [p, readFileSync(join(opts.sourceDir, p))]));
  const fleet: FleetRepo[] = [];
  let seedObjects: string | null = null;
  let sha = "";
  for (let i = 0; i < opts.repos; i++) {
    const inst = installations[i % installations.length]!;
    const name = `repo-${String(i).padStart(3, "0")}`;
    const { id, fullName } = await fake.createRepo(inst.id, { owner: inst.owner, name });
    if (seedObjects === null) {
      sha = await fake.commit(fullName, { branch: "main", message: "synthetic repository", files });
      seedObjects = join(fakeGitDir(fake, fullName), "objects");
    } else {
      writeFileSync(join(fakeGitDir(fake, fullName), "objects", "info", "alternates"), `${seedObjects}\n`);
      await fake.createBranch(fullName, "main", sha);
    }
    fleet.push({ installationId: inst.id, repoId: id, owner: inst.owner, repo: name, fullName, sha });
  }
  return fleet;
}
