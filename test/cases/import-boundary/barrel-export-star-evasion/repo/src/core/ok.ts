import { VERSION } from "../shared";

export const version = VERSION;
