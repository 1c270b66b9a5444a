import { b } from "./b.js";
import { api } from "../github/api.js";
import { hooks } from "../github/hooks/index.js";

export const a = [b, api, hooks];
