import type { Ctx } from "./router.js";

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/** GitHub's page/per_page pagination with a `Link` header (what Octokit's paginate follows). */
export function paginate<T>(ctx: Ctx, all: readonly T[], defaultPerPage = 30): Page<T> {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page")) || defaultPerPage));
  const page = Math.max(1, Number(ctx.query.get("page")) || 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams(ctx.query);
    q.set("per_page", String(perPage));
    q.set("page", String(p));
    return `<${ctx.core.url}${ctx.path}?${q.toString()}>; rel="${rel}"`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(link(page - 1, "prev"), link(1, "first"));
  if (page < last) rels.push(link(page + 1, "next"), link(last, "last"));
  return { items, headers: rels.length ? { link: rels.join(", ") } : {} };
}
