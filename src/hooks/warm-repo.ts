import { existsSync } from "node:fs";
import { join } from "node:path";
import { createCheckMemo } from "../check/check-memo.js";
import { diskRecordCache } from "../snapshot/disk-record-cache.js";
import type { FileSource } from "../snapshot/file-source.js";
import { gitFileSource } from "../snapshot/git-file-source.js";
import { createWorktreeCache } from "../snapshot/worktree-cache.js";
import { worktreeFileSource } from "../snapshot/worktree-file-source.js";
import type { HookRuntime } from "./claude-code-hook.js";
import { evaluateIntendedChange, POLICY_DIRS, type WarmState } from "./evaluate-intended-change.js";
import { createHeadReader } from "./head-state.js";
import { emptyChange } from "./intended-change.js";
import { openRepo, type RepoState } from "./repo-state.js";

/** One repository kept warm by the hook server: what a fresh hook call would read, minus the re-reading. */
export interface WarmRepo {
  readonly root: string;
  readonly gitDir: string;
  /** Answers through the same code as the CLI hook (`answerClaudeCodeEvent`), from warm state. */
  readonly runtime: HookRuntime;
  /** Lists and reads the tree, compiles HEAD's policy and snapshots the tree, so the first call finds them ready. */
  prime(now: Date): Promise<void>;
  /** Persists new module records to `<gitdir>/plumbline/records.ndjson` (shared with `plumbline check`). */
  flush(): Promise<void>;
}

export interface WarmRepoOptions {
  readonly racyMs?: number;
  readonly maxRetainedBytes?: number;
}

export async function openWarmRepo(dir: string, opts: WarmRepoOptions = {}): Promise<WarmRepo | null> {
  const opened = await openRepo(dir);
  if (opened === null) return null;
  const { root, gitDir } = opened;
  const records = await diskRecordCache(join(gitDir, "plumbline", "records.ndjson"));
  const tree = createWorktreeCache(root, opts);
  const heads = createHeadReader(root, gitDir, opts);
  const policies = new Map<string, FileSource>();
  const warm: WarmState = {
    records,
    memo: createCheckMemo(),
    policyAt(headRev) {
      let source = policies.get(headRev);
      if (!source) {
        // A commit never changes, so neither does the listing of its invariant folders.
        const inner = gitFileSource(root, headRev, { pathspecs: POLICY_DIRS });
        let listing: Promise<Awaited<ReturnType<FileSource["listFiles"]>>> | null = null;
        source = { label: inner.label, listFiles: () => (listing ??= inner.listFiles()), readFiles: (paths) => inner.readFiles(paths) };
        policies.set(headRev, source);
        if (policies.size > 8) policies.delete(policies.keys().next().value!);
      }
      return source;
    },
  };

  const open = async (): Promise<RepoState> => ({ root, gitDir, ...(await heads.read()), worktree: lazyWorktree(root, () => tree.refresh()) });
  const runtime: HookRuntime = {
    // The server hands over only directories that locateRepo places in this repository (hook-server.ts).
    openRepo: open,
    evaluate: (repo, change, evalOpts) => evaluateIntendedChange(repo, change, { ...evalOpts, warm }),
  };
  return {
    root,
    gitDir,
    runtime,
    async prime(now) {
      await runtime.evaluate(await open(), emptyChange(), { actor: null, now, cache: true });
    },
    // Never into a repository that is gone: writing the file would create its directories again.
    flush: async () => (existsSync(join(gitDir, "HEAD")) ? records.flush() : undefined),
  };
}

/**
 * The tree for one call, refreshed only if the call lists it. Before that, reads go to the disk
 * as `worktreeFileSource` does, so a call that changes nothing never pays for a refresh.
 */
function lazyWorktree(root: string, refresh: () => Promise<FileSource>): FileSource {
  let view: Promise<FileSource> | null = null;
  const direct = worktreeFileSource(root);
  return {
    label: direct.label,
    listFiles: async () => (await (view ??= refresh())).listFiles(),
    readFiles: async (paths) => (view ? (await view).readFiles(paths) : direct.readFiles(paths)),
  };
}
