import { client } from "../db/client.js";

export const all = () => client.query("orders");
