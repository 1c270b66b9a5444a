import type { Annotation, CheckAction, CheckRunHistoryEntry, CheckRunRecord } from "./state.js";

/** What a test inspects about a check run: its current state plus every create/update body. */
export interface CheckRunSnapshot {
  id: number;
  name: string;
  headSha: string;
  status: CheckRunRecord["status"];
  conclusion: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  /** Accumulated across the create and every update, as GitHub stores them. */
  annotations: Annotation[];
  actions: CheckAction[];
  history: CheckRunHistoryEntry[];
}

export function snapshotCheckRun(r: CheckRunRecord): CheckRunSnapshot {
  return structuredClone({
    id: r.id, name: r.name, headSha: r.headSha, status: r.status, conclusion: r.conclusion, externalId: r.externalId,
    detailsUrl: r.detailsUrl, title: r.output.title, summary: r.output.summary, text: r.output.text,
    annotations: r.annotations, actions: r.actions, history: r.history,
  });
}
