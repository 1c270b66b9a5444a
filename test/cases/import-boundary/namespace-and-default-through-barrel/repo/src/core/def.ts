// Default export of the barrel.
import connect from "../lib";

export const c = connect;
