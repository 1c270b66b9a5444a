import { a } from "./a";
import { Client } from "../github/client";

export const x = ;

import Redis from "ioredis";
