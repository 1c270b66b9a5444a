import { findUser } from "../repositories/users.js";

export const handler = (id) => findUser(id);
