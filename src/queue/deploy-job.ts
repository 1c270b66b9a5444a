import { z } from "zod";

/** One deployment protection rule request, as a job. Ids and public facts only. */
export const deployJobSchema = z.object({
  installationId: z.number().int().positive(),
  repoId: z.number().int().positive(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  environment: z.string().min(1),
  ref: z.string().min(1),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  runId: z.number().int().positive(),
  deliveryId: z.string(),
  sender: z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() }).nullable(),
  creator: z.object({ login: z.string(), id: z.number().optional(), type: z.string().optional() }).nullable(),
  /** When GitHub asked (ISO): freeze windows are judged at this instant, not at processing time. */
  at: z.string(),
});

export type DeployJob = z.infer<typeof deployJobSchema>;

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CALLBACK = /\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

/** Pure: `deployment_protection_rule.requested` → a job, or null when the payload cannot be answered. */
export function deployJobFromEvent(p: Payload, deliveryId: string, now: Date): DeployJob | null {
  if (p?.action !== "requested" || !p.installation?.id || !p.repository?.id) return null;
  const runId = Number(CALLBACK.exec(String(p.deployment_callback_url ?? ""))?.[1]);
  const sha = p.deployment?.sha;
  if (!Number.isInteger(runId) || runId <= 0 || typeof sha !== "string" || typeof p.environment !== "string") return null;
  const who = (u: Payload | undefined | null) => (u?.login ? { login: String(u.login), ...(typeof u.id === "number" ? { id: u.id } : {}), ...(u.type ? { type: String(u.type) } : {}) } : null);
  return {
    installationId: p.installation.id,
    repoId: p.repository.id,
    owner: p.repository.owner?.login ?? String(p.repository.full_name).split("/")[0],
    repo: p.repository.name,
    environment: p.environment,
    ref: String(p.deployment?.ref ?? p.ref ?? ""),
    sha,
    runId,
    deliveryId,
    sender: who(p.sender),
    creator: who(p.deployment?.creator),
    at: now.toISOString(),
  };
}
