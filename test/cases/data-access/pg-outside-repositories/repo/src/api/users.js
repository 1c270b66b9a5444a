import { findUser } from "../repositories/users.js";
import { Pool } from "pg";

export async function handler(id) {
  await new Pool().connect();
  return findUser(id);
}
