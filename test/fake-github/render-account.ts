import { iso } from "./clock.js";
import type { Core } from "./core.js";
import { fullName, type InstallationRecord, type RepoRecord, type UserRecord } from "./state.js";

const HTML = "https://github.com";

/** GitHub's `simple-user`. */
export function renderUser(core: Core, u: UserRecord): Record<string, unknown> {
  return {
    login: u.login,
    id: u.id,
    node_id: `U_${u.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    url: `${core.url}/users/${u.login}`,
    html_url: `${HTML}/${u.login}`,
    type: u.type,
    site_admin: false,
  };
}

/** GitHub's `repository` (the parts apps read), as the REST API and most webhooks carry it. */
export function renderRepo(core: Core, r: RepoRecord): Record<string, unknown> {
  const name = fullName(r);
  const parent = r.parentId === null ? undefined : core.state.repos.get(r.parentId);
  return {
    id: r.id,
    node_id: `R_${r.id}`,
    name: r.name,
    full_name: name,
    private: r.private,
    visibility: r.private ? "private" : "public",
    owner: renderUser(core, r.owner),
    html_url: `${HTML}/${name}`,
    url: `${core.url}/repos/${name}`,
    fork: r.parentId !== null,
    ...(parent ? { parent: { id: parent.id, full_name: fullName(parent) } } : {}),
    default_branch: r.defaultBranch,
    archived: false,
    disabled: false,
    created_at: iso(r.createdAt),
    pushed_at: iso(r.pushedAt),
    updated_at: iso(r.pushedAt),
  };
}

/** Webhook `repository` for `push` differs: `owner` also has `name`, dates are epoch seconds. */
export function renderPushRepo(core: Core, r: RepoRecord): Record<string, unknown> {
  return {
    ...renderRepo(core, r),
    owner: { ...renderUser(core, r.owner), name: r.owner.login },
    created_at: Math.floor(r.createdAt / 1000),
    pushed_at: Math.floor(r.pushedAt / 1000),
    master_branch: r.defaultBranch,
  };
}

export function renderInstallation(core: Core, i: InstallationRecord): Record<string, unknown> {
  return {
    id: i.id,
    account: renderUser(core, i.account),
    repository_selection: i.repositorySelection,
    access_tokens_url: `${core.url}/app/installations/${i.id}/access_tokens`,
    repositories_url: `${core.url}/installation/repositories`,
    html_url: `${HTML}/settings/installations/${i.id}`,
    app_id: core.app.id,
    app_slug: core.app.slug,
    target_id: i.account.id,
    target_type: i.account.type,
    permissions: i.permissions,
    events: i.events,
    created_at: iso(i.createdAt),
    updated_at: iso(i.createdAt),
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

export function renderApp(core: Core): Record<string, unknown> {
  const installations = [...core.state.installations.values()].filter((i) => !i.deleted);
  return {
    id: core.app.id,
    slug: core.app.slug,
    node_id: `A_${core.app.id}`,
    client_id: `Iv1.${core.app.id}`,
    owner: renderUser(core, { ...core.app.owner }),
    name: core.app.name,
    description: "",
    external_url: "https://plumbline.example",
    html_url: `${HTML}/apps/${core.app.slug}`,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    permissions: installations[0]?.permissions ?? {},
    events: installations[0]?.events ?? [],
    installations_count: installations.length,
  };
}

/** The app as check runs and suites name it (`check_run.app`). */
export function renderAppRef(core: Core): Record<string, unknown> {
  return { id: core.app.id, slug: core.app.slug, node_id: `A_${core.app.id}`, name: core.app.name, owner: renderUser(core, core.app.owner) };
}
