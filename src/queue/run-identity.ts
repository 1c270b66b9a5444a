/** The run a SHA gets: one per (repository, SHA), found again by this id on retries, notices and reconciliation. */
export const externalIdOf = (repoId: number, sha: string) => `plumbline:${repoId}:${sha}`;
