import { Redis } from "ioredis";
import { QUEUE_NAME } from "@sparkbot/core";

/** Connects to the bench's Redis, failing fast (one clear error) when it is not reachable. */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Redis at ${url} is not reachable (${String(error)}); start one or set REDIS_URL`,
    );
  }
  return redis;
}

/** `redis_version` from `INFO server`. */
export async function redisVersion(redis: Redis): Promise<string> {
  const info = await redis.info("server");
  return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
}

/** Jobs waiting in the event queue under `prefix` (what an un-consumed receiver enqueued). */
export function waitingJobs(redis: Redis, prefix: string): Promise<number> {
  return redis.llen(`${prefix}:${QUEUE_NAME}:wait`);
}

/** CPU time (ms) the Redis server has used since it started (`INFO cpu`), for CPU shares. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0);
  const system = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
  return (user + system) * 1000;
}
