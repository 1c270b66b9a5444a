export const b = "console.error is allowed";
