import { db } from "../repositories/db.js";

export async function monthlyReport() {
  const sql = `
    SELECT customer_id, sum(total)
    FROM orders
    GROUP BY customer_id`;
  return db.raw(sql);
}
