import { DB_URL } from "../db/index.js";

export const url = DB_URL;
