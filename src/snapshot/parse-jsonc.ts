/**
 * JSON with comments and trailing commas, as tsconfig/jsconfig allow. Hand-rolled rather than
 * `ts.parseConfigFileTextToJson` because loading the TypeScript compiler costs more start-up
 * time than resolving every import of a large repository. One linear pass; strings are
 * copied verbatim so `"//"` or `"/*"` inside a path stays intact.
 */
export type JsoncResult = { ok: true; value: unknown } | { ok: false; reason: string; line: number };

export function parseJsonc(text: string): JsoncResult {
  let out = "";
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let copyFrom = i;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (ch === "/" && text[i + 1] === "/") {
      out += text.slice(copyFrom, i);
      while (i < n && text[i] !== "\n") i++;
      copyFrom = i;
    } else if (ch === "/" && text[i + 1] === "*") {
      out += text.slice(copyFrom, i);
      const end = text.indexOf("*/", i + 2);
      if (end === -1) return { ok: false, reason: "unterminated block comment", line: lineAt(text, i) };
      // Keep newlines so JSON.parse error offsets still land on the right line.
      out += text.slice(i, end + 2).replace(/[^\n]/g, " ");
      i = end + 2;
      copyFrom = i;
    } else if (ch === ",") {
      const next = text[skipTrivia(text, i + 1)];
      if (next === "}" || next === "]") {
        out += `${text.slice(copyFrom, i)} `;
        copyFrom = i + 1;
      }
      i++;
    } else i++;
  }
  out += text.slice(copyFrom);
  try {
    return { ok: true, value: JSON.parse(out) };
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    // Comments were blanked line by line, so a line in `out` is the same line in `text`.
    return { ok: false, reason: (err as Error).message, line: m ? lineAt(out, Number(m[1])) : 1 };
  }
}

/** Index of the next character that is neither whitespace nor inside a comment. */
function skipTrivia(text: string, from: number): number {
  let j = from;
  for (;;) {
    while (j < text.length && /\s/.test(text[j]!)) j++;
    if (text[j] === "/" && text[j + 1] === "/") {
      while (j < text.length && text[j] !== "\n") j++;
    } else if (text[j] === "/" && text[j + 1] === "*") {
      const end = text.indexOf("*/", j + 2);
      if (end === -1) return text.length;
      j = end + 2;
    } else return j;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
