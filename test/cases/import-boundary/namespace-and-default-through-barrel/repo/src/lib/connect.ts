export { default } from "../github/connect";
