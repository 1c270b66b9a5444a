export { default } from "./connect";
export * from "./version";
