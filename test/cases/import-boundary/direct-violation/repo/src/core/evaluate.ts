// Evaluates one snapshot.
import { z } from "zod";
import { publish } from "../github/publish";
import { helper } from "./helper";

export const run = () => publish(helper(z));
