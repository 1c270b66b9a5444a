import type { GitHubClient } from "./github-client.js";

/** One revision of one repository, read through an installation client. */
export interface GitHubRepoRef {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  /** Called once per HTTP request issued (before the client's own retries), for the stats. */
  readonly count: () => void;
}

export const describeRef = (ref: GitHubRepoRef): string => `${ref.owner}/${ref.repo}@${ref.sha}`;
