import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/finding.js";
import { propagationNotices } from "../../src/core/propagation.js";

const digest = "ab".repeat(32);
const finding = { invariant: "core-is-pure" } as Finding;

describe("propagationNotices", () => {
  it("flags a commit that claims the same policy passed locally but brings a blocking finding", () => {
    const [n] = propagationNotices([{ sha: "1234567890", message: `fix\n\nPlumbline-Checked: ${digest}\n` }], [finding], digest);
    expect(n!.code).toBe("propagation.failure");
    expect(n!.message).toContain("1234567");
    expect(n!.message).toContain("this very policy");
  });

  it("names a different local policy as such", () => {
    const [n] = propagationNotices([{ sha: "1234567890", message: `x\n\nPlumbline-Checked: ${"cd".repeat(32)}` }], [finding], digest);
    expect(n!.message).toContain("under another policy");
  });

  it("says nothing when nothing blocks or no commit claims a local check", () => {
    expect(propagationNotices([{ message: `Plumbline-Checked: ${digest}` }], [], digest)).toEqual([]);
    expect(propagationNotices([{ message: "plain" }], [finding], digest)).toEqual([]);
  });
});
