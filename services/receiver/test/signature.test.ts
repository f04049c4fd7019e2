import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signBody, verifySignature } from "../src/signature.js";

const secret = "s3cret";
const body = Buffer.from('{"id":"w1","data":{"id":"m1"}}');
const good = createHmac("sha1", secret).update(body).digest("hex");

describe("verifySignature", () => {
  it("accepts the HMAC-SHA1 hex of the raw body, in either case", () => {
    expect(signBody(secret, body)).toBe(good);
    expect(verifySignature({ secret, body, signature: good })).toBe(true);
    expect(verifySignature({ secret, body, signature: good.toUpperCase() })).toBe(true);
  });

  it("rejects a missing, empty or malformed signature", () => {
    expect(verifySignature({ secret, body, signature: undefined })).toBe(false);
    expect(verifySignature({ secret, body, signature: "" })).toBe(false);
    expect(verifySignature({ secret, body, signature: "zz" + good.slice(2) })).toBe(false);
    expect(verifySignature({ secret, body, signature: good.slice(0, 38) })).toBe(false);
    expect(verifySignature({ secret, body, signature: good + "00" })).toBe(false);
  });

  it("rejects a signature made with another secret or over other bytes", () => {
    expect(verifySignature({ secret: "other", body, signature: good })).toBe(false);
    const changed = Buffer.from(body.toString().replace("m1", "m2"));
    expect(verifySignature({ secret, body: changed, signature: good })).toBe(false);
    const sha256 = createHmac("sha256", secret).update(body).digest("hex");
    expect(verifySignature({ secret, body, signature: sha256 })).toBe(false);
  });

  it("checks bytes, not re-encoded text", () => {
    const utf8 = Buffer.from('{"text":"héllo"}', "utf8");
    const latin1 = Buffer.from('{"text":"héllo"}', "latin1");
    const signature = signBody(secret, utf8);
    expect(verifySignature({ secret, body: utf8, signature })).toBe(true);
    expect(verifySignature({ secret, body: latin1, signature })).toBe(false);
  });
});
