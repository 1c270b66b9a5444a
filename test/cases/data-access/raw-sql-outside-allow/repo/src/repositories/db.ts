export const db = { raw: (sql: string) => sql };
export const ping = () => db.raw("SELECT 1 FROM dual");
