import { notFound } from "./api-error.js";
import { iso } from "./clock.js";
import type { Reply, Router } from "./router.js";
import type { DeliveryRecord } from "./webhooks.js";

function item(d: DeliveryRecord): Record<string, unknown> {
  return {
    id: d.id, guid: d.guid, delivered_at: iso(d.deliveredAt), redelivery: d.redelivery,
    duration: Math.round(d.durationMs) / 1000, status: d.status, status_code: d.statusCode,
    event: d.event, action: d.action, installation_id: d.installationId, repository_id: d.repositoryId,
    throttled_at: null,
  };
}

/** The app's webhook deliveries: newest first, cursor-paginated like GitHub's. */
export function addDeliveryRoutes(router: Router): void {
  router
    .get("/app/hook/deliveries", "app", (ctx): Reply => {
      const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page")) || 30));
      const all = [...ctx.core.webhooks.deliveries].reverse();
      const cursor = ctx.query.get("cursor");
      const start = cursor ? Math.max(0, all.findIndex((d) => String(d.id) === cursor)) : 0;
      const items = all.slice(start, start + perPage);
      const next = all[start + perPage];
      const headers: Record<string, string> = {};
      if (next) {
        const q = new URLSearchParams(ctx.query);
        q.set("per_page", String(perPage));
        q.set("cursor", String(next.id));
        headers.link = `<${ctx.core.url}${ctx.path}?${q.toString()}>; rel="next"`;
      }
      return { status: 200, headers, body: items.map(item) };
    })
    .get("/app/hook/deliveries/:id", "app", (ctx): Reply => {
      const d = ctx.core.webhooks.deliveries.find((x) => String(x.id) === ctx.params.id);
      if (!d) throw notFound();
      let payload: unknown = null;
      try { payload = JSON.parse(d.requestBody.toString("utf8")); } catch { /* raw body was not JSON */ }
      return {
        status: 200,
        body: { ...item(d), url: ctx.core.webhooks.target, request: { headers: d.requestHeaders, payload }, response: { headers: {}, payload: d.responseBody } },
      };
    })
    .post("/app/hook/deliveries/:id/attempts", "app", (ctx): Reply => {
      if (!ctx.core.webhooks.redeliver(Number(ctx.params.id))) throw notFound();
      return { status: 202, body: {} };
    });
}
