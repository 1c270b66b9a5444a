export const openIssue = (n: number) => n;
