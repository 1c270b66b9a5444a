import { x } from "../infra/x";

export const d = () => x;
