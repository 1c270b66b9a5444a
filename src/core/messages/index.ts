import { contentMessages } from "./content.js";
import { dataAccessMessages } from "./data-access.js";
import { deploymentMessages } from "./deployment.js";
import { engineMessages } from "./engine.js";
import { executionScopeMessages } from "./execution-scope.js";
import { forbiddenDependencyMessages } from "./forbidden-dependency.js";
import { importBoundaryMessages } from "./import-boundary.js";
import type { MessageTable } from "./message-table.js";

/** All wording in one place: kinds emit codes + evidence, this renders them. */
const tables: readonly MessageTable[] = [engineMessages, contentMessages, executionScopeMessages, dataAccessMessages, deploymentMessages, importBoundaryMessages, forbiddenDependencyMessages];

const all: MessageTable = Object.freeze(Object.assign(Object.create(null), ...tables));

export function renderMessage(code: string, evidence: Readonly<Record<string, string | number | boolean>>): string {
  const render = all[code];
  if (!render) return `${code} ${JSON.stringify(evidence)}`;
  return render(evidence);
}

export function knownCodes(): string[] {
  return Object.keys(all);
}
