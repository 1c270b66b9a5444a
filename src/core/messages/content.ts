import type { MessageTable } from "./message-table.js";

export const contentMessages: MessageTable = {
  "content.forbidden": (e) => `\`${e.match}\` matches the forbidden pattern \`${e.pattern}\`; remove it or move the file out of this rule's \`files\``,
  "content.unread": (e) => `this file was not read (${e.reason === "oversized" ? "larger than Plumbline reads" : e.reason}), so this rule cannot vouch for it; shrink it, fix its encoding or exclude it from this rule's \`files\``,
  "content.missing": (e) => `expected the pattern \`${e.pattern}\` somewhere in this file; it is required in every file this rule matches`,
};
