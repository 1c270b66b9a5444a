import { respond } from "../http/respond";

export const order = () => respond();
