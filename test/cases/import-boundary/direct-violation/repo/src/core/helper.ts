export const helper = <T>(x: T) => x;
