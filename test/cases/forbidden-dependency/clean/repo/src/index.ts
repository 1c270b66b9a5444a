import chalk from "chalk";
export const ok = chalk.green("ok");
