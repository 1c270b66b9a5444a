import { Pool } from "pg";

const rows = new Pool().query("SELECT * FROM users");
