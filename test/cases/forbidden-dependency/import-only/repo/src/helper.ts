export const helper = (x: unknown) => String(x);
