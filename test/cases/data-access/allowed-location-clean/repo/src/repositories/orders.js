import { PrismaClient } from "@prisma/client";

export const orders = new PrismaClient().order;
