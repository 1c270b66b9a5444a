import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/cases/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // In CI, failures are also listed last on stdout (see the reporter for why).
    reporters: process.env.CI ? ["default", "./test/helpers/failure-summary-reporter.ts"] : ["default"],
  },
});
