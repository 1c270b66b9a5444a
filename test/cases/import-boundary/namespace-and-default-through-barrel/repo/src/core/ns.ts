import * as lib from "../lib";

export const v = lib.version;
