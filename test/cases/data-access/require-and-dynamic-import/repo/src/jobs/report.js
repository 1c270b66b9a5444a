export async function report() {
  const { Pool } = await import("pg");
  return new Pool();
}
