import fs = require("fs");
import gh = require("../github/client");
export import Redis = require("ioredis");

export const both = [fs, gh];
