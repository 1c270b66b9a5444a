export * from "./api";
export const VERSION = 1;
