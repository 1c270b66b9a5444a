import { publish } from "../github/publish";
import Redis from "ioredis";
export const main = () => publish(new Redis());
