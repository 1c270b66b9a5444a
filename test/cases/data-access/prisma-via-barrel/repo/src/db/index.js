export { PrismaClient } from "@prisma/client";
export const DB_URL = "postgres://localhost/app";
