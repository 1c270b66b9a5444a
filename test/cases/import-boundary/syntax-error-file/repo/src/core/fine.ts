import { Client } from "../github/client";

export const c = new Client();
