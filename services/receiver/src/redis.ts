import { Redis } from "ioredis";

/** Tuning of the producer's Redis connection. */
export interface ProducerRedisOptions {
  /** A command unanswered after this many milliseconds fails (default 1500). */
  commandTimeoutMs?: number;
  /** Longest wait for a TCP connection (default 2000). */
  connectTimeoutMs?: number;
}

/**
 * The receiver's Redis connection. It fails fast: no offline queue (a command sent while
 * disconnected fails at once), one attempt per command, a short command timeout. It reconnects
 * by itself, forever, with a capped backoff, so the receiver recovers when Redis returns.
 */
export function createProducerRedis(url: string, options: ProducerRedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1500,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    lazyConnect: false,
  });
  // Connection errors are expected while Redis is away; the last one says why (describeRedis).
  trackErrors(redis);
  return redis;
}

const lastErrors = new WeakMap<Redis, string>();

/** Remembers the last error `redis` emitted (and forgets it once ready), for `describeRedis`. */
export function trackErrors(redis: Redis): void {
  redis.on("error", (error: Error) => lastErrors.set(redis, redisErrorText(error)));
  redis.on("ready", () => lastErrors.delete(redis));
}

/** A Redis error in a line: its message and, for network and TLS errors, the code. */
export function redisErrorText(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message;
}

/**
 * Why `redis` cannot be used now, in a line: its state and the last error it met, e.g.
 * `Redis is not connected (reconnecting): WRONGPASS invalid username-password pair`.
 */
export function describeRedis(redis: Redis): string {
  const last = lastErrors.get(redis);
  return `Redis is not connected (${redis.status})${last === undefined ? "" : `: ${last}`}`;
}

/** True when `redis` answers PING within `timeoutMs`. */
export async function pingRedis(redis: Redis, timeoutMs = 500): Promise<boolean> {
  if (redis.status !== "ready") return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = redis.ping().then(
    (answer) => answer === "PONG",
    () => false,
  );
  return Promise.race([ping, timeout]).finally(() => clearTimeout(timer));
}

/**
 * True when `redis` accepts a write within `timeoutMs` (a short-lived key under `prefix`):
 * false while it is away, and also while it refuses writes (out of memory, a read-only
 * replica, a failed disk save), which a PING does not tell.
 */
export async function redisTakesWrites(
  redis: Redis,
  prefix: string,
  timeoutMs = 500,
): Promise<boolean> {
  if (redis.status !== "ready") return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = redis.set(`${prefix}:receiver:ready-probe`, "1", "PX", 10_000).then(
    (answer) => answer === "OK",
    () => false,
  );
  return Promise.race([probe, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves true once `redis` is connected and ready, or false after `timeoutMs`; it never
 * rejects, and the connection keeps trying after a false.
 */
export function waitForRedis(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on("ready", onReady);
  });
}
