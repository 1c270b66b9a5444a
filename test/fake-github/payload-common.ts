import type { Core } from "./core.js";
import { renderRepo, renderUser } from "./render-account.js";
import type { AccountType, RepoRecord, UserRecord } from "./state.js";

/** Who an event is attributed to; bots need `type: "Bot"` and usually their real id. */
export interface SenderInput {
  login: string;
  type?: AccountType;
  id?: number;
}

export function senderOf(core: Core, s: SenderInput | undefined, fallback: UserRecord): UserRecord {
  if (!s) return fallback;
  return core.state.user(s.login, s.type ?? (s.login.endsWith("[bot]") ? "Bot" : "User"), s.id);
}

/** `repository`, `organization` (org-owned only), `installation` and `sender`, present on every app event. */
export function envelope(core: Core, repo: RepoRecord, sender: UserRecord, repository = renderRepo(core, repo)): Record<string, unknown> {
  return {
    repository,
    ...(repo.owner.type === "Organization"
      ? { organization: { login: repo.owner.login, id: repo.owner.id, node_id: `O_${repo.owner.id}`, url: `${core.url}/orgs/${repo.owner.login}` } }
      : {}),
    ...(repo.installationId === null ? {} : { installation: { id: repo.installationId, node_id: `MDIz_${repo.installationId}` } }),
    sender: renderUser(core, sender),
  };
}
