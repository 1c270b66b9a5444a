import type { MessageTable } from "./message-table.js";

export const dataAccessMessages: MessageTable = {
  "data-access.import": (e) =>
    `imports \`${e.specifier}\`, which reaches the data module \`${e.module}\`${e.via ? ` through \`${e.via}\`` : ""}; data access is only allowed in ${e.allowed}: go through code there instead`,
  "data-access.query": (e) =>
    `\`${e.match}\` looks like raw data access (pattern \`${e.pattern}\`); queries are only allowed in ${e.allowed}: move it there and call that code instead`,
};
