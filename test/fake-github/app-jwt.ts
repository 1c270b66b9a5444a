import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { ApiError } from "./api-error.js";

const b64url = (b: Buffer | string): string => Buffer.from(b).toString("base64url");

/** Signs an app JWT the way Probot (universal-github-app-jwt) does: iat 30 s back, exp +10 min. */
export function signAppJwt(privateKeyPem: string, appId: number, nowSeconds: number): string {
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ iat: nowSeconds - 30, exp: nowSeconds - 30 + 600, iss: appId }));
  const signature = sign("RSA-SHA256", Buffer.from(`${header}.${payload}`), createPrivateKey(privateKeyPem));
  return `${header}.${payload}.${b64url(signature)}`;
}

export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(createPrivateKey(privateKeyPem));
}

const undecodable = (): ApiError => new ApiError(401, "A JSON web token could not be decoded");

/** GitHub's checks and messages; a skew allowance of 60 s like GitHub's documented guidance. */
export function verifyAppJwt(token: string, publicKey: KeyObject | null, appId: number, nowSeconds: number): void {
  const parts = token.split(".");
  if (parts.length !== 3) throw undecodable();
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: unknown };
  let payload: { iat?: unknown; exp?: unknown; iss?: unknown };
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  } catch {
    throw undecodable();
  }
  if (header.alg !== "RS256") throw undecodable();
  if (publicKey && !verify("RSA-SHA256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, "base64url"))) {
    throw undecodable();
  }
  if (String(payload.iss) !== String(appId)) throw new ApiError(401, "'Issuer' claim ('iss') must be an Integer");
  if (typeof payload.exp !== "number" || payload.exp <= nowSeconds) {
    throw new ApiError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
  }
  if (typeof payload.iat !== "number" || payload.iat > nowSeconds + 60) {
    throw new ApiError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
  }
  if (payload.exp > nowSeconds + 600 + 60) {
    throw new ApiError(401, "'Expiration time' claim ('exp') is too far in the future");
  }
}
