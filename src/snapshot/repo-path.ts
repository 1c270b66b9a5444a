/**
 * Repository-relative path arithmetic (`/`-separated, no leading `/`, root is ""). Kept apart
 * from `node:path` because these paths never touch a disk and must not depend on the platform
 * or the working directory.
 */

export function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i === -1 ? "" : path.slice(0, i);
}

/** Joins and normalises `.`/`..`; null when the result would leave the repository. */
export function joinPath(dir: string, rel: string): string | null {
  // Fast path for the shape nearly every specifier has: leading `./` or `../` runs, then a
  // clean tail. Resolution calls this tens of thousands of times per run.
  let base = dir;
  let i = 0;
  for (;;) {
    if (rel.startsWith("./", i)) i += 2;
    else if (rel.startsWith("../", i)) {
      if (base === "") return null;
      base = dirOf(base);
      i += 3;
    } else break;
  }
  const rest = rel.slice(i);
  if (rest === "") return base;
  if (rest !== "." && rest !== ".." && !rest.startsWith("/") && !rest.endsWith("/") && !rest.includes("//") && !rest.includes("/.") && !rest.startsWith(".")) {
    return base === "" ? rest : `${base}/${rest}`;
  }
  const out = base === "" ? [] : base.split("/");
  for (const seg of rest.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(seg);
  }
  return out.join("/");
}

/** `a/b/c` → `["a/b/c", "a/b", "a", ""]`: a directory and every ancestor, nearest first. */
export function selfAndAncestors(dir: string): string[] {
  const out = [dir];
  for (let d = dir; d !== ""; ) {
    d = dirOf(d);
    out.push(d);
  }
  return out;
}

export function isUnderNodeModules(path: string): boolean {
  return path.startsWith("node_modules/") || path.includes("/node_modules/");
}
