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

/** Calls and CPU time (µs) per Redis command since start (`INFO commandstats`). */
export async function redisCommandStats(
  redis: Redis,
): Promise<Map<string, { calls: number; usec: number }>> {
  const info = await redis.info("commandstats");
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(match[1] ?? "", { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

/** What each request cost Redis between two `redisCommandStats`: calls per request, by command. */
export function commandsPerRequest(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
  requests: number,
): { command: string; perRequest: number; usecPerRequest: number }[] {
  const out: { command: string; perRequest: number; usecPerRequest: number }[] = [];
  for (const [command, now] of after) {
    const then = before.get(command) ?? { calls: 0, usec: 0 };
    const perRequest = (now.calls - then.calls) / Math.max(1, requests);
    if (perRequest >= 0.05) {
      out.push({
        command,
        perRequest,
        usecPerRequest: (now.usec - then.usec) / Math.max(1, requests),
      });
    }
  }
  return out.sort((a, b) => b.usecPerRequest - a.usecPerRequest);
}
