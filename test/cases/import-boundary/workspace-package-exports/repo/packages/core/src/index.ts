import { util } from "@acme/util";
import { client } from "@acme/github-client";
import { rest } from "@acme/github-client/rest";
import "@acme/ghost";

export const all = [util, client, rest];
