import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QUEUE_NAME, silentLogger, type EventJob, type Logger } from "@sparkbot/core";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { createApp, type ReadinessReport } from "../src/app.js";
import { createMetrics, type ReceiverMetrics } from "../src/metrics.js";
import { createEventQueue, type EventQueue } from "../src/event-queue.js";
import {
  createProducerRedis,
  pingRedis,
  waitForRedis,
  type ProducerRedisOptions,
} from "../src/redis.js";
import { serve } from "./helpers.js";

export const SECRET = "test-secret";
export const BOT_ID = "bot-person-id";
export const BODY_LIMIT = 4096;

export interface AppFixture {
  url: string;
  webhookUrl: string;
  prefix: string;
  redis: Redis;
  queue: EventQueue;
  metrics: ReceiverMetrics;
  /** A separate, ordinary BullMQ handle to inspect what was enqueued. */
  inspect: Queue<EventJob>;
  close(): Promise<void>;
}

export interface AppFixtureOptions {
  redisUrl?: string;
  verifySignatures?: boolean;
  secret?: () => string | undefined;
  logger?: Logger;
  redisOptions?: ProducerRedisOptions;
  enqueueTimeoutMs?: number;
}

/** The app on a real queue under a unique prefix, served on a free port. */
export async function startAppFixture(options: AppFixtureOptions = {}): Promise<AppFixture> {
  const redisUrl = options.redisUrl ?? TEST_REDIS_URL;
  const prefix = uniquePrefix("receiver");
  const redis = createProducerRedis(redisUrl, options.redisOptions);
  if (!(await waitForRedis(redis, 10_000))) throw new Error(`Redis at ${redisUrl} is not ready`);
  const queue = createEventQueue({
    redis,
    prefix,
    ...(options.enqueueTimeoutMs !== undefined ? { timeoutMs: options.enqueueTimeoutMs } : {}),
  });
  const metrics = createMetrics({ countJobs: queue.countJobs });
  const readiness = async (): Promise<ReadinessReport> => {
    const checks = { redis: await pingRedis(redis), registration: true };
    return { ready: checks.redis, checks };
  };
  const app = createApp({
    config: {
      webhookPath: "/sparkbot",
      bodyLimitBytes: BODY_LIMIT,
      verifySignatures: options.verifySignatures ?? true,
    },
    enqueuer: queue,
    metrics,
    logger: options.logger ?? silentLogger,
    secret: options.secret ?? (() => SECRET),
    botId: () => BOT_ID,
    readiness,
  });
  const server = await serve(app);
  const inspect = new Queue<EventJob>(QUEUE_NAME, {
    connection: { url: redisUrl, maxRetriesPerRequest: 1 },
    prefix,
  });
  inspect.on("error", () => undefined);
  await inspect.waitUntilReady();
  return {
    url: server.url,
    webhookUrl: `${server.url}/sparkbot`,
    prefix,
    redis,
    queue,
    metrics,
    inspect,
    async close() {
      await server.close();
      await queue.close();
      await inspect.close();
      redis.disconnect();
      if (redisUrl === TEST_REDIS_URL) await deletePrefix(prefix);
    },
  };
}

/** The value of one sample in a Prometheus text exposition, or undefined. */
export function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((row) => row.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}
