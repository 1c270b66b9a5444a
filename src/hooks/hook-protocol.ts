import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ENGINE_VERSION } from "../core/engine-version.js";

/**
 * The hook server's wire format: one JSON header line, then `bytes` bytes of the PreToolUse event
 * exactly as Claude Code sent it; one JSON line back. The event travels raw so the server parses
 * it with the same code, and answers the same bytes, as the in-process hook.
 */

/** Claude Code sends one event of at most a few MB (a Write of a large file); more is not an event. */
export const MAX_EVENT_BYTES = 10 * 1024 * 1024;
export const MAX_HEADER_BYTES = 64 * 1024;
/** Answers are a deny reason or an error message: small, but never trusted to be. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface HookRequest {
  readonly op: "hook";
  readonly build: string;
  /** The repository the client located; the server refuses any other. */
  readonly root: string;
  /** The client's working directory (the event's `cwd` when it names none). */
  readonly cwd: string;
  readonly agent: string;
  readonly cache: boolean;
  /** Milliseconds since the epoch, taken by the client: waivers expire by the time of the call. */
  readonly now: number;
  readonly bytes: number;
}

export interface ControlRequest {
  readonly op: "stop" | "ping";
  readonly build: string;
  readonly bytes: 0;
}

export type ServerRequest = HookRequest | ControlRequest;

export interface WireAnswer {
  readonly exitCode: 0 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `answer` for a hook call; a control request gets the server's pid and how many calls it has
 * answered. `refused` says why the client must judge in-process.
 */
export type ServerResponse = { readonly ok: true; readonly answer?: WireAnswer; readonly pid: number; readonly served?: number } | { readonly ok: false; readonly refused: string };

/**
 * Which installation a process runs: the engine version and when this file was built. A server
 * left running across an upgrade or a rebuild refuses, so a verdict never comes from old code.
 */
export function buildId(): string {
  let stamp = "unknown";
  try {
    stamp = String(statSync(fileURLToPath(import.meta.url)).mtimeMs);
  } catch {
    // Bundled or virtual module: the version alone has to do.
  }
  return `${ENGINE_VERSION}:${stamp}`;
}

export function encodeRequest(header: ServerRequest, event: Buffer | null): Buffer {
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), event ?? Buffer.alloc(0)]);
}

/** Validates a header line; null when it is not one this server speaks. */
export function parseHeader(line: string): ServerRequest | null {
  const r = jsonObjectOf(line);
  if (r === null) return null;
  if (typeof r["build"] !== "string") return null;
  if (r["op"] === "stop" || r["op"] === "ping") return { op: r["op"], build: r["build"], bytes: 0 };
  const ok =
    r["op"] === "hook" &&
    typeof r["root"] === "string" &&
    typeof r["cwd"] === "string" &&
    typeof r["agent"] === "string" &&
    typeof r["cache"] === "boolean" &&
    typeof r["now"] === "number" &&
    Number.isFinite(r["now"]) &&
    Number.isSafeInteger(r["bytes"]) &&
    (r["bytes"] as number) >= 0 &&
    (r["bytes"] as number) <= MAX_EVENT_BYTES;
  return ok ? (r as unknown as HookRequest) : null;
}

/** The answer line, validated: a client never prints what it does not understand. */
export function parseResponse(line: string): ServerResponse | null {
  const r = jsonObjectOf(line);
  if (r === null) return null;
  if (r["ok"] === false) return typeof r["refused"] === "string" ? { ok: false, refused: r["refused"] } : null;
  if (r["ok"] !== true || typeof r["pid"] !== "number") return null;
  if (r["answer"] === undefined) return { ok: true, pid: r["pid"], ...(typeof r["served"] === "number" ? { served: r["served"] } : {}) };
  const a = r["answer"] as Record<string, unknown> | null;
  if (!a || (a["exitCode"] !== 0 && a["exitCode"] !== 2) || typeof a["stdout"] !== "string" || typeof a["stderr"] !== "string") return null;
  return { ok: true, pid: r["pid"], answer: { exitCode: a["exitCode"], stdout: a["stdout"], stderr: a["stderr"] } };
}

/**
 * The directory the hook opens for an event: its `cwd`, or the caller's when it names none. Null
 * for input the hook rejects before touching a repository. Client and server route by it.
 */
export function eventDirectory(raw: string, cwd: string): string | null {
  let event: unknown;
  try {
    event = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) return null;
  const named = (event as { cwd?: unknown }).cwd;
  if (named === undefined) return cwd;
  return typeof named === "string" && named.length > 0 ? named : null;
}

/** One protocol line as a JSON object; null for anything else (never throws on peer input). */
function jsonObjectOf(line: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
