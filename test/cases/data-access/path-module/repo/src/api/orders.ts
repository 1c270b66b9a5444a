import { client } from "../db/client.js";

export const list = () => client.query("orders");
