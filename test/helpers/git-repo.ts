import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A real throwaway git repository for CLI and hook tests. */
export interface TestRepo {
  readonly dir: string;
  write(files: Record<string, string | null>): void;
  commit(files: Record<string, string | null>, message?: string, author?: { name: string; email: string }): string;
  git(...args: string[]): string;
  cleanup(): void;
}

const ENV = {
  GIT_AUTHOR_NAME: "Test Human",
  GIT_AUTHOR_EMAIL: "human@example.com",
  GIT_COMMITTER_NAME: "Test Human",
  GIT_COMMITTER_EMAIL: "human@example.com",
  GIT_AUTHOR_DATE: "2026-11-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-11-01T00:00:00Z",
};

export function createTestRepo(files: Record<string, string | null> = {}): TestRepo {
  const dir = mkdtempSync(join(tmpdir(), "plumbline-repo-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, ...ENV }, encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  const write = (fs: Record<string, string | null>) => {
    for (const [p, text] of Object.entries(fs)) {
      const full = join(dir, p);
      if (text === null) rmSync(full, { force: true, recursive: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, text);
      }
    }
  };
  const repo: TestRepo = {
    dir,
    git,
    write,
    commit(fs, message = "change", author) {
      write(fs);
      git("add", "-A");
      const env = author ? ["-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`] : [];
      execFileSync("git", [...env, "commit", "-q", "--allow-empty", "-m", message], {
        cwd: dir,
        env: { ...process.env, ...ENV, ...(author ? { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email } : {}) },
      });
      return git("rev-parse", "HEAD");
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (Object.keys(files).length) repo.commit(files, "initial");
  return repo;
}
