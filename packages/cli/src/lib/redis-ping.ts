import { Redis } from "ioredis";

/** True when the Redis at `url` answers PING within `timeoutMs`. Never throws. */
export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const answer = await Promise.race([
      redis.ping(),
      new Promise<string>((resolve) => setTimeout(() => resolve("timeout"), timeoutMs)),
    ]);
    return answer === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
