import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * Prints every failed test, with its first error, as the last thing on **stdout**.
 *
 * The default reporter writes failure details to stderr, in the middle of a 15-minute run. A CI
 * system that keeps only the tail of stdout then shows "2 failed" and no name; this reporter
 * makes that tail name what failed, where, and why. Added to the reporters when CI is set.
 */
export default class FailureSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const lines: string[] = [];
    for (const mod of testModules) {
      for (const err of mod.errors()) lines.push(`${mod.relativeModuleId} (file): ${firstLines(err)}`);
      for (const test of mod.children.allTests("failed")) {
        const result = test.result();
        const errors = result.state === "failed" ? result.errors : [];
        const ms = Math.round(test.diagnostic()?.duration ?? 0);
        lines.push(`${mod.relativeModuleId} > ${test.fullName} (${ms} ms): ${errors.length ? firstLines(errors[0]!) : "failed"}`);
      }
    }
    for (const err of unhandledErrors) lines.push(`unhandled: ${firstLines(err)}`);
    if (!lines.length) return;
    process.stdout.write(`\n== failed (${lines.length})\n${lines.map((l) => `- ${l}`).join("\n")}\n`);
  }
}

/** The message and the first stack frame in a test file: enough to find the assertion. */
function firstLines(err: SerializedError): string {
  const message = String(err.message ?? err).split("\n").slice(0, 6).join("\n    ");
  const frame = String(err.stack ?? "").split("\n").find((l) => /\/test\/.*\.ts:\d+/.test(l))?.trim();
  return frame ? `${message}\n    ${frame}` : message;
}
