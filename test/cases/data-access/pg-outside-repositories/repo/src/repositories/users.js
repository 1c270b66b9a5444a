import { Pool } from "pg";

const pool = new Pool();

export async function findUser(id) {
  return pool.query("SELECT * FROM users WHERE id = $1", [id]);
}
