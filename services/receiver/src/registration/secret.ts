import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/** The Redis key holding the generated webhook secret. */
export function secretKey(prefix: string): string {
  return `${prefix}:receiver:webhook-secret`;
}

/**
 * The fleet's webhook secret: `configured` (WEBHOOK_SECRET) when given; otherwise the one kept
 * in Redis, set by whichever receiver comes first (`SET NX`) and never rotated after: `known`
 * (a receiver's cached copy, so that a Redis that lost its data gets the secret the webhooks
 * still carry) or a new random one. Rejects when Redis is unreachable; the caller retries.
 */
export async function resolveWebhookSecret(
  redis: Redis,
  prefix: string,
  configured: string | undefined,
  known?: string,
): Promise<string> {
  if (configured !== undefined) return configured;
  const key = secretKey(prefix);
  await redis.set(key, known ?? randomBytes(32).toString("hex"), "NX");
  const secret = await redis.get(key);
  if (secret === null) throw new Error(`The webhook secret vanished from Redis (${key})`);
  return secret;
}
