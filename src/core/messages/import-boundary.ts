import type { MessageTable } from "./message-table.js";

const through = (via: unknown): string => (typeof via === "string" && via !== "" ? ` through ${via}` : "");

export const importBoundaryMessages: MessageTable = {
  "import-boundary.forbidden": (e) =>
    `imports \`${e.specifier}\`, which reaches \`${e.target}\`${through(e.via)}; this rule forbids \`${e.entry}\` from here. Depend on an allowed layer instead, or inject what you need`,
  "import-boundary.not-allowed": (e) =>
    `imports \`${e.specifier}\`, which reaches \`${e.target}\`${through(e.via)}; from here only files matched by ${e.from} and ${e.allowed} may be imported. Import through an allowed module, or add the target to \`allow\` if the dependency is intended`,
  "import-boundary.unresolved": (e) =>
    `imports \`${e.specifier}\`${through(e.via)}, which resolves to no file in the repository; this rule has an allow-list, so an import it cannot check fails closed. Fix the path, the tsconfig \`paths\` alias or the workspace package it names`,
  "import-boundary.cycle": (e) =>
    `this import of \`${e.specifier}\` closes the import cycle ${e.cycle}; files under this rule must not depend on each other in a loop. Move what they share into a module both import, or invert one dependency`,
};
