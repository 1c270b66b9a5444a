export const client = { query: (q: string) => q };
