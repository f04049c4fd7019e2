import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/** The Redis key of the fleet's registration lock (the CLI's `webhooks sync` takes it too). */
export function registrationLockKey(prefix: string): string {
  return `${prefix}:receiver:registration-lock`;
}

const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

export interface LockOptions {
  /** The lock expires after this long, should its holder die (default 30 s). */
  ttlMs?: number;
  /** How long to wait for a lock held by another (default 15 s). */
  waitMs?: number;
  /** Polling interval while waiting (default 200 ms). */
  pollMs?: number;
}

/**
 * Runs `fn` while holding the Redis lock `key` (`SET NX PX`, released only by its holder).
 * Resolves `{ acquired: false }` when another holder kept it for longer than `waitMs`.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const { ttlMs = 30_000, waitMs = 15_000, pollMs = 200 } = options;
  const token = randomBytes(16).toString("hex");
  const deadline = Date.now() + waitMs;
  while ((await redis.set(key, token, "PX", ttlMs, "NX")) === null) {
    if (Date.now() >= deadline) return { acquired: false };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return { acquired: true, value: await fn() };
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
