export const a = 1;
// FIXME: later
export const b = 2;
// FixMe too
