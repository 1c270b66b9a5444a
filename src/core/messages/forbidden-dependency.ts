import type { MessageTable } from "./message-table.js";

const allowed = (e: Readonly<Record<string, string | number | boolean>>): string =>
  e.range ? `only versions outside \`${e.range}\` are allowed` : "no version of it is allowed";

export const forbiddenDependencyMessages: MessageTable = {
  "forbidden-dependency.present": (e) => {
    const alias = e.alias ? ` (as the alias \`${e.alias}\`)` : "";
    if (e.source === "import") {
      const installed = e.installed ? `, installed as ${e.installed}` : "";
      return `imports \`${e.package}\`${alias}${installed}, forbidden by the entry \`${e.entry}\`; ${allowed(e)}. Remove the import and the dependency`;
    }
    if (e.source === "manifest") {
      const declared = e.version ? ` as \`${e.version}\`` : "";
      return `\`${e.package}\`${alias} is declared in \`${e.section}\`${declared}, forbidden by the entry \`${e.entry}\`; ${allowed(e)}. ${e.range ? "Raise the range so it cannot install a forbidden version" : "Remove it"}`;
    }
    const version = e.version ? `@${e.version}` : "";
    return `\`${e.package}${version}\`${alias} is locked here (${e.section}), forbidden by the entry \`${e.entry}\`; ${allowed(e)}. ${e.section === "direct" ? "Remove or upgrade it" : "Upgrade or remove whatever depends on it (`npm ls`, `pnpm why` or `yarn why` shows what pulls it in)"}, then regenerate the lockfile`;
  },
  "forbidden-dependency.unparsable": (e) =>
    `this ${e.source} file could not be fully parsed (${e.reason}), so a forbidden package in it could pass unseen; fix it, or let the package manager regenerate it`,
  "forbidden-dependency.unread": (e) =>
    `this ${e.source} file was not read (${e.reason}), so it cannot be checked for forbidden packages; keep it valid UTF-8 and under the size limit`,
};
