import { d } from "../domain/d";

export const x = () => d;
