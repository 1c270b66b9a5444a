import { b } from "@core/b";
import { openIssue } from "@gh/issues";

export const a = () => openIssue(b);
