/**
 * Redis settings SparkBot's guarantees rest on: a receiver's 2xx and the worker's record of a
 * sent reply must survive a Redis crash, which needs the append-only file with every write
 * fsync'd before it is acknowledged (`appendonly yes`, `appendfsync always`). With `everysec`
 * (Redis's default when AOF is on) a crash loses up to a second of writes: accepted jobs, and
 * the records that keep replies from being sent twice.
 */

/** The part of a Redis client the check needs (ioredis's `call`). */
export interface RedisCaller {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * One line saying how `redis` falls short of those settings, or undefined when it meets them.
 * A Redis that refuses `CONFIG GET` (managed services often do) is reported as unverified; a
 * command that timed out rejects, so that the check can be made again.
 */
export async function redisDurabilityProblem(redis: RedisCaller): Promise<string | undefined> {
  let settings: Record<string, string>;
  try {
    const answer = await redis.call("CONFIG", "GET", "append*");
    settings = pairs(answer);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // A slow or lost connection says nothing about CONFIG: the caller may ask again.
    if (/timed out|timeout|Connection is closed/i.test(reason)) throw error;
    return `Redis persistence cannot be verified (CONFIG GET refused: ${reason}); SparkBot needs appendonly yes and appendfsync always`;
  }
  const { appendonly, appendfsync } = settings;
  if (appendonly === "yes" && appendfsync === "always") return undefined;
  return `Redis runs with appendonly ${appendonly ?? "?"} and appendfsync ${appendfsync ?? "?"}: a Redis crash can lose accepted events and repeat replies; run it with appendonly yes and appendfsync always`;
}

function pairs(answer: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (Array.isArray(answer)) {
    for (let i = 0; i + 1 < answer.length; i += 2)
      result[String(answer[i])] = String(answer[i + 1]);
  }
  return result;
}

/** A connection that can be checked once it is ready. */
export interface WatchableRedis extends RedisCaller {
  readonly status: string;
  once(event: "ready", listener: () => void): unknown;
}

/**
 * Checks `redis` once it is ready and logs one warning when it falls short (see above); a check
 * that timed out (a loaded Redis at start) is tried again, up to three times, 5 s apart.
 */
export function warnIfRedisNotDurable(
  redis: WatchableRedis,
  logger: { warn(message: string, fields: Record<string, unknown>): void },
  retryMs = 5_000,
): void {
  let attempts = 0;
  const check = (): void => {
    attempts += 1;
    redisDurabilityProblem(redis).then(
      (problem) => {
        if (problem !== undefined) logger.warn(problem, { check: "redis-durability" });
      },
      () => {
        if (attempts < 3) setTimeout(check, retryMs).unref();
      },
    );
  };
  if (redis.status === "ready") check();
  else redis.once("ready", check);
}
