import { invalidRequest } from "./api-error.js";
import type { Annotation, CheckAction } from "./state.js";

/**
 * The Checks API validates with a JSON schema and answers 422 "Invalid request.\n\n<detail>".
 * The fake is as strict as GitHub on every documented limit, so an app that passes here
 * does not meet a 422 in production for the same body.
 */
export const STATUSES = ["queued", "in_progress", "completed"] as const;
export const CONCLUSIONS = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"] as const;
const LEVELS = ["notice", "warning", "failure"] as const;
export const MAX_TEXT = 65535;
export const MAX_ANNOTATIONS = 50;

type Body = Record<string, unknown>;

const quote = (v: unknown): string => JSON.stringify(v) ?? "null";
const members = (list: readonly string[]): string => `[${list.map((x) => `"${x}"`).join(", ")}]`;

function str(obj: Body, key: string, where: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (opts.required) throw invalidRequest(`"${key}" wasn't supplied.`);
    return undefined;
  }
  if (typeof v !== "string") throw invalidRequest(`For '${where}/${key}', ${quote(v)} is not a string.`);
  if (opts.max !== undefined && v.length > opts.max) {
    throw invalidRequest(`For '${where}/${key}', only ${opts.max} characters are allowed; ${v.length} were supplied.`);
  }
  return v;
}

function int(obj: Body, key: string, where: string, required: boolean): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) throw invalidRequest(`"${key}" wasn't supplied.`);
    return undefined;
  }
  if (typeof v !== "number" || !Number.isInteger(v)) throw invalidRequest(`For '${where}/${key}', ${quote(v)} is not an integer.`);
  return v;
}

function oneOf<T extends string>(obj: Body, key: string, list: readonly T[]): T | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!list.includes(v as T)) throw invalidRequest(`For 'properties/${key}', ${quote(v)} is not a member of ${members(list)}.`);
  return v as T;
}

function list(obj: Body, key: string, max: number): Body[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidRequest(`For 'properties/${key}', ${quote(v)} is not an array.`);
  if (v.length > max) throw invalidRequest(`No more than ${max} items are allowed; ${v.length} were supplied.`);
  for (const item of v) if (!item || typeof item !== "object") throw invalidRequest(`For 'items', ${quote(item)} is not an object.`);
  return v as Body[];
}

function annotation(a: Body): Annotation {
  const where = "items";
  const out: Annotation = {
    path: str(a, "path", where, { required: true })!,
    start_line: int(a, "start_line", where, true)!,
    end_line: int(a, "end_line", where, true)!,
    annotation_level: (oneOf(a, "annotation_level", LEVELS) ?? (() => { throw invalidRequest(`"annotation_level" wasn't supplied.`); })()),
    message: str(a, "message", where, { required: true, max: 65535 })!,
  };
  const title = str(a, "title", where, { max: 255 });
  const raw = str(a, "raw_details", where, { max: 65535 });
  const startColumn = int(a, "start_column", where, false);
  const endColumn = int(a, "end_column", where, false);
  if ((startColumn !== undefined || endColumn !== undefined) && out.start_line !== out.end_line) {
    throw invalidRequest("start_column and end_column may only be supplied when start_line and end_line are the same.");
  }
  if (title !== undefined) out.title = title;
  if (raw !== undefined) out.raw_details = raw;
  if (startColumn !== undefined) out.start_column = startColumn;
  if (endColumn !== undefined) out.end_column = endColumn;
  return out;
}

export interface CheckRunInput {
  name?: string;
  headSha?: string;
  detailsUrl?: string;
  externalId?: string;
  status?: (typeof STATUSES)[number];
  conclusion?: (typeof CONCLUSIONS)[number];
  startedAt?: string;
  completedAt?: string;
  output?: { title?: string; summary?: string; text?: string; annotations: Annotation[] };
  actions?: CheckAction[];
}

export function parseCheckRunBody(body: Body, mode: "create" | "update"): CheckRunInput {
  const where = "properties";
  const create = mode === "create";
  const input: CheckRunInput = {
    name: str(body, "name", where, { required: create }),
    headSha: create ? str(body, "head_sha", where, { required: true }) : undefined,
    detailsUrl: str(body, "details_url", where),
    externalId: str(body, "external_id", where),
    status: oneOf(body, "status", STATUSES),
    startedAt: str(body, "started_at", where),
    completedAt: str(body, "completed_at", where),
  };
  if (body.conclusion === "stale") throw invalidRequest("Only GitHub can set a check run conclusion to stale.");
  input.conclusion = oneOf(body, "conclusion", CONCLUSIONS);
  if ((input.status === "completed" || input.completedAt !== undefined) && input.conclusion === undefined) {
    throw invalidRequest(`"conclusion" wasn't supplied.`);
  }
  if (body.output !== undefined && body.output !== null) {
    const o = body.output;
    if (typeof o !== "object" || Array.isArray(o)) throw invalidRequest(`For 'properties/output', ${quote(o)} is not an object.`);
    const ob = o as Body;
    input.output = {
      title: str(ob, "title", "output", { required: create }),
      summary: str(ob, "summary", "output", { required: true, max: MAX_TEXT }),
      text: str(ob, "text", "output", { max: MAX_TEXT }),
      annotations: (list(ob, "annotations", MAX_ANNOTATIONS) ?? []).map(annotation),
    };
  }
  const actions = list(body, "actions", 3);
  if (actions) {
    input.actions = actions.map((a) => ({
      label: str(a, "label", "items", { required: true, max: 20 })!,
      description: str(a, "description", "items", { required: true, max: 40 })!,
      identifier: str(a, "identifier", "items", { required: true, max: 20 })!,
    }));
  }
  return input;
}
