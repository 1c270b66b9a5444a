export class GitHubClient {}
