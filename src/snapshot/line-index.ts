/**
 * Maps UTF-16 offsets (what oxc reports and what `String#slice` takes) to 1-based line/column.
 * Built once per file so each lookup is a binary search instead of a rescan from the start.
 */
export interface LineIndex {
  positionAt(offset: number): { line: number; column: number };
}

export function createLineIndex(text: string): LineIndex {
  const starts: number[] = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return {
    positionAt(offset) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, column: offset - starts[lo]! + 1 };
    },
  };
}
