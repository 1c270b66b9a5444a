// c closes the longer loop.
import { a } from "./a";

export const c = () => a;
