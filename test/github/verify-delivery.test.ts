import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyDelivery } from "../../src/github/verify-delivery.js";

const secret = "a-long-enough-secret";
const sign = (body: string, key = secret) => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
const headers = (body: string, extra: Record<string, string | undefined> = {}) => ({
  "x-github-event": "push",
  "x-github-delivery": "d-1",
  "content-type": "application/json",
  "x-hub-signature-256": sign(body),
  ...extra,
});

describe("verifyDelivery", () => {
  const body = JSON.stringify({ ref: "refs/heads/main", installation: { id: 1 } });

  it("hands over a signed delivery with its id, event and parsed payload", async () => {
    expect(await verifyDelivery(headers(body), body, secret)).toEqual({ id: "d-1", name: "push", payload: JSON.parse(body) });
    // GitHub may add a charset.
    expect(await verifyDelivery(headers(body, { "content-type": "application/json; charset=utf-8" }), body, secret)).toMatchObject({ id: "d-1" });
  });

  it.each([
    ["no event header", { "x-github-event": undefined }, 400, "x-github-event"],
    ["no delivery id", { "x-github-delivery": undefined }, 400, "x-github-delivery"],
    ["no signature", { "x-hub-signature-256": undefined }, 400, "x-hub-signature-256"],
    ["a form-encoded body", { "content-type": "application/x-www-form-urlencoded" }, 415, "application/json"],
    ["another secret's signature", { "x-hub-signature-256": sign(body, `${secret}x`) }, 400, "signature does not match"],
  ])("refuses %s, saying why", async (_name, extra, status, error) => {
    const result = await verifyDelivery(headers(body, extra), body, secret);
    expect(result).toMatchObject({ status });
    expect((result as { error: string }).error).toContain(error);
  });

  it("checks the signature before parsing, and refuses signed bodies that are no JSON object", async () => {
    for (const text of ["{not json", "[1,2]", "null", "42"]) {
      expect(await verifyDelivery(headers(text), text, secret), text).toMatchObject({ status: 400 });
    }
    // Unsigned garbage is refused for its signature, never parsed.
    expect(await verifyDelivery(headers("{}", { "x-hub-signature-256": sign("other") }), "{not json", secret)).toEqual({ status: 400, error: "signature does not match event payload and secret" });
  });
});
