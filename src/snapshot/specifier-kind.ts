/**
 * Classifies bare specifiers without touching the tree: node builtins and package names.
 * The builtin list is fixed here (Node 20) rather than read from `node:module`, so the graph
 * of a revision does not change with the Node version the worker happens to run.
 */

const BUILTINS: ReadonlySet<string> = new Set([
  "assert", "assert/strict", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto",
  "dgram", "diagnostics_channel", "dns", "dns/promises", "domain", "events", "fs", "fs/promises", "http", "http2",
  "https", "inspector", "inspector/promises", "module", "net", "os", "path", "path/posix", "path/win32", "perf_hooks",
  "process", "punycode", "querystring", "readline", "readline/promises", "repl", "stream", "stream/consumers",
  "stream/promises", "stream/web", "string_decoder", "sys", "timers", "timers/promises", "tls", "trace_events", "tty",
  "url", "util", "util/types", "v8", "vm", "wasi", "worker_threads", "zlib",
]);

/** `fs`, `node:fs` → `node:fs`; any `node:` specifier is a builtin (Node never looks further). */
export function builtinName(specifier: string): string | null {
  if (specifier.startsWith("node:")) return specifier;
  return BUILTINS.has(specifier) ? `node:${specifier}` : null;
}

export function isRelative(specifier: string): boolean {
  return specifier === "." || specifier === ".." || specifier.startsWith("./") || specifier.startsWith("../");
}

/** `vite:x`, `https://…`, `virtual:…`: a loader scheme, not a path nor an npm name. */
export function hasScheme(specifier: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(specifier) && !specifier.startsWith("node:");
}

/** `@a/b/c` → `{ name: "@a/b", subpath: "c" }`; `lodash/fp` → `{ name: "lodash", subpath: "fp" }`. */
export function splitPackageSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split("/");
  const take = specifier.startsWith("@") && parts.length > 1 ? 2 : 1;
  return { name: parts.slice(0, take).join("/"), subpath: parts.slice(take).join("/") };
}
