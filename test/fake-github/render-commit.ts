import { iso } from "./clock.js";
import type { Core } from "./core.js";
import type { CommitInfo, DiffEntry, Signature } from "./git-store.js";
import { renderUser } from "./render-account.js";
import { fullName, type RepoRecord } from "./state.js";

const person = (s: Signature): Record<string, string> => ({ name: s.name, email: s.email, date: iso(s.seconds * 1000) });

const unsigned = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

/** The GitHub user behind a commit email, when the test mapped one (else null, as on GitHub). */
export function userForEmail(core: Core, email: string): Record<string, unknown> | null {
  const login = core.state.emailLogins.get(email.toLowerCase());
  const user = login ? core.state.users.get(login.toLowerCase()) : undefined;
  return user ? renderUser(core, user) : null;
}

/** `GET /git/commits/:sha`. */
export function renderGitCommit(core: Core, repo: RepoRecord, c: CommitInfo): Record<string, unknown> {
  const base = `${core.url}/repos/${fullName(repo)}`;
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    url: `${base}/git/commits/${c.sha}`,
    html_url: `https://github.com/${fullName(repo)}/commit/${c.sha}`,
    author: person(c.author),
    committer: person(c.committer),
    message: c.message.replace(/\n$/, ""),
    tree: { sha: c.tree, url: `${base}/git/trees/${c.tree}` },
    parents: c.parents.map((p) => ({ sha: p, url: `${base}/git/commits/${p}`, html_url: `https://github.com/${fullName(repo)}/commit/${p}` })),
    verification: unsigned,
  };
}

export function renderDiffFile(core: Core, repo: RepoRecord, headSha: string, f: DiffEntry): Record<string, unknown> {
  const name = fullName(repo);
  return {
    sha: f.sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `https://github.com/${name}/blob/${headSha}/${f.filename}`,
    raw_url: `https://github.com/${name}/raw/${headSha}/${f.filename}`,
    contents_url: `${core.url}/repos/${name}/contents/${f.filename}?ref=${headSha}`,
    ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
  };
}

/** `GET /commits/:ref` and the entries of compare / PR commits (without `files` there). */
export function renderCommit(core: Core, repo: RepoRecord, c: CommitInfo, files?: DiffEntry[]): Record<string, unknown> {
  const base = `${core.url}/repos/${fullName(repo)}`;
  const commit: Record<string, unknown> = {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    commit: {
      author: person(c.author),
      committer: person(c.committer),
      message: c.message.replace(/\n$/, ""),
      tree: { sha: c.tree, url: `${base}/git/trees/${c.tree}` },
      url: `${base}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: unsigned,
    },
    url: `${base}/commits/${c.sha}`,
    html_url: `https://github.com/${fullName(repo)}/commit/${c.sha}`,
    comments_url: `${base}/commits/${c.sha}/comments`,
    author: userForEmail(core, c.author.email),
    committer: userForEmail(core, c.committer.email),
    parents: c.parents.map((p) => ({ sha: p, url: `${base}/commits/${p}`, html_url: `https://github.com/${fullName(repo)}/commit/${p}` })),
  };
  if (files) {
    const additions = files.reduce((n, f) => n + f.additions, 0);
    const deletions = files.reduce((n, f) => n + f.deletions, 0);
    commit.stats = { total: additions + deletions, additions, deletions };
    commit.files = files.slice(0, 300).map((f) => renderDiffFile(core, repo, c.sha, f));
  }
  return commit;
}
