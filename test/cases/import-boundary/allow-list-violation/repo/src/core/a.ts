import { z } from "zod";
import { join } from "path";
import { s } from "../shared/s";
import { b } from "./b";
import { readFileSync } from "node:fs";
import _ from "lodash";
import { gone } from "./deleted-helper";

export const a = [z, join, s, b, readFileSync, _, gone];
