import type { KindModule } from "../kind.js";
import { content } from "./content.js";
import { dataAccess } from "./data-access.js";
import { deployment } from "./deployment.js";
import { executionScope } from "./execution-scope.js";
import { forbiddenDependency } from "./forbidden-dependency.js";
import { importBoundary } from "./import-boundary.js";

/**
 * The registry: one module per invariant kind, in a plain map (no switch chains).
 * Adding a kind = adding its module here and its wording under `messages/`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKind = KindModule<any, any>;

export const kindList: readonly AnyKind[] = [content, executionScope, dataAccess, deployment, importBoundary, forbiddenDependency];

export const kinds: Readonly<Record<string, AnyKind>> = Object.freeze(Object.fromEntries(kindList.map((k) => [k.kind, k])));
