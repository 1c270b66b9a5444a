import { readFile } from "node:fs/promises";
import colors from "colors";
import { helper } from "./helper.js";

export const paint = (s: string) => colors.red(s) + helper(readFile);
