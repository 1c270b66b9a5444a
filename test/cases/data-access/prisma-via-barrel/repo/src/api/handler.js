// Handlers should call repositories, not the client.
import { PrismaClient } from "../db/index.js";

export const client = new PrismaClient();
