// Looks innocent: `shared` is allowed.
import { Client } from "../shared";

export const make = () => new Client();
