import Cursor from "pg-cursor";
import native from "pg/lib/native/index.js";

export const both = [Cursor, native];
