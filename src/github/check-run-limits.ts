/** GitHub's documented Checks API limits, and the pure helpers that keep output inside them. */

/** `output.summary` and `output.text`: a longer body is answered 422 and nothing is recorded. */
export const MAX_OUTPUT_CHARS = 65_535;
/** Annotations accepted per create/update request; more are appended with further updates. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations Plumbline posts per run by default: past a few hundred nobody reads them in the UI. */
export const DEFAULT_MAX_ANNOTATIONS = 500;
/** Annotation `message`/`raw_details` may be 64 KB, but a wall of text there hides the point. */
export const MAX_ANNOTATION_MESSAGE = 4_000;
export const MAX_ANNOTATION_TITLE = 255;
/** Check run titles have no documented limit; GitHub's UI truncates long ones anyway. */
export const MAX_TITLE = 200;

export const TRUNCATION_MARKER = "\n\n**… truncated**: this report exceeded GitHub's 65,535-character limit. Run `plumbline check` locally for the full report.";

/**
 * Cuts `s` to at most `limit` UTF-16 units, ending with `marker`. GitHub counts characters
 * (code points), never more than UTF-16 units, so this bound is safe. The cut prefers a line
 * break so tables and lists end on a whole row, and never splits a surrogate pair.
 */
export function capText(s: string, limit: number, marker: string = TRUNCATION_MARKER): string {
  if (s.length <= limit) return s;
  const room = Math.max(0, limit - marker.length);
  let cut = room;
  const newline = s.lastIndexOf("\n", room);
  if (newline > room * 0.8) cut = newline;
  if (cut > 0 && isHighSurrogate(s.charCodeAt(cut - 1))) cut -= 1;
  return s.slice(0, cut) + marker.slice(0, limit - cut);
}

/** A short single-line form for titles and table cells. */
export function clip(s: string, limit: number): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length <= limit ? flat : capText(flat, limit, "…");
}

/**
 * Markdown table cells break on `|` and newlines; user text (paths, messages) may carry both.
 * GFM unescapes `\|` even inside code spans in a table, so this composes with `code()`.
 */
export function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Inline code that survives backticks inside the value (globs and regexes may carry them). */
export function code(s: string): string {
  const flat = s.replace(/\r?\n/g, " ");
  const runs = flat.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** List items and quotes are one line; user text (matched content, reasons) may span several. */
export function oneLine(s: string): string {
  return s.replace(/\s*\r?\n\s*/g, " ");
}

/** Messages are rendered without a final stop (the CLI appends context); prose needs one. */
export function sentence(s: string): string {
  const t = s.trimEnd();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
