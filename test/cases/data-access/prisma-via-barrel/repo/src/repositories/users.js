import { PrismaClient } from "../db/index.js";

export const users = new PrismaClient().user;
