import { createHmac, timingSafeEqual } from "node:crypto";

/** The header Webex signs each webhook delivery with. */
export const SIGNATURE_HEADER = "x-spark-signature";

/** What `verifySignature` checks. */
export interface SignatureCheck {
  /** The webhook's shared secret. */
  secret: string;
  /** The raw request body, exactly as received. */
  body: Buffer;
  /** The `X-Spark-Signature` header: lower- or upper-case hex; missing means unsigned. */
  signature: string | undefined;
}

/** The HMAC-SHA1 of `body` keyed with `secret`, in lower-case hex, as Webex computes it. */
export function signBody(secret: string, body: Buffer | string): string {
  return createHmac("sha1", secret).update(body).digest("hex");
}

/**
 * True when `signature` is the HMAC-SHA1 hex of `body` with `secret`. The comparison takes the
 * same time wherever the first difference is; a missing, empty or malformed header is false.
 */
export function verifySignature({ secret, body, signature }: SignatureCheck): boolean {
  if (signature === undefined || !/^[0-9a-fA-F]{40}$/.test(signature.trim())) return false;
  const expected = Buffer.from(signBody(secret, body), "hex");
  const given = Buffer.from(signature.trim(), "hex");
  return expected.length === given.length && timingSafeEqual(expected, given);
}
