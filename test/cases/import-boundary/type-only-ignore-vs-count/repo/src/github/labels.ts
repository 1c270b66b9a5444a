export interface Label {}
export const labels: Label[] = [];
