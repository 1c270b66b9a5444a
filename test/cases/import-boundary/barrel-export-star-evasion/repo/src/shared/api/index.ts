export * from "./impl";
