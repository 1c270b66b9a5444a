import type { Clock } from "./clock.js";
import type { InstallationTokens } from "./installation-tokens.js";
import type { FakeState } from "./state.js";
import type { Webhooks } from "./webhooks.js";
import type { DownloadLinks } from "./download-links.js";

/** GitHub's size limits, lowered by tests to reach the edge cases cheaply. */
export interface Limits {
  /** Entries per trees response before `truncated: true` (GitHub: 100,000). */
  maxTreeEntries: number;
  /** Largest file the contents API returns as JSON (GitHub: 1 MB). */
  contentsMaxBytes: number;
  /** Files listed by compare (GitHub: 300). */
  compareMaxFiles: number;
  /** Commits listed by compare and by a PR's commits (GitHub: 250). */
  maxListedCommits: number;
  /** Files listed for a PR across all pages (GitHub: 3,000). */
  pullMaxFiles: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxTreeEntries: 100_000,
  contentsMaxBytes: 1024 * 1024,
  compareMaxFiles: 300,
  maxListedCommits: 250,
  pullMaxFiles: 3000,
};

export interface AppIdentity {
  id: number;
  slug: string;
  name: string;
  owner: { login: string; id: number; type: "Organization" | "User" };
  /** The bot user the app acts as (`<slug>[bot]`): authors check runs, issues and comments. */
  bot: { login: string; id: number; type: "Bot" };
}

/** What every route handler can reach. */
export interface Core {
  url: string;
  codeloadUrl: string;
  app: AppIdentity;
  state: FakeState;
  clock: Clock;
  tokens: InstallationTokens;
  limits: Limits;
  webhooks: Webhooks;
  links: DownloadLinks;
}
