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
  // Connection errors are expected while Redis is away; requests report them as 503s.
  redis.on("error", () => undefined);
  return redis;
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
