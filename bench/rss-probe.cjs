// Preloaded through NODE_OPTIONS by measure.ts when GNU time is missing: each Node process of
// the measured command appends its own peak RSS (KiB) at exit, and measure.ts keeps the largest.
"use strict";
const file = process.env.PLUMBLINE_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    try {
      require("node:fs").appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // Measuring must never change the measured command's outcome.
    }
  });
}
