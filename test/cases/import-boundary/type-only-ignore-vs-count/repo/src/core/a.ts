import type { Issue } from "../github/types";
import { type Repo } from "../github/types";
import { type Label, labels } from "../github/labels";

export const f = (i: Issue, r: Repo, l: Label) => [i, r, l, labels];
