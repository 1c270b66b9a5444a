export const hint = "select a plan from the list";
