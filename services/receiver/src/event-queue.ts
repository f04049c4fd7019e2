import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import {
  QUEUE_NAME,
  createEventJob,
  jobIdFor,
  jobNameFor,
  type EventJob,
  type WebhookEvent,
} from "@sparkbot/core";
import { QUEUE_STATES, type QueueCounter } from "./metrics.js";
import { describeRedis } from "./redis.js";

/**
 * Options of every event job. The worker relies on them: 8 attempts, exponential backoff from
 * 1 s (1, 2, 4 … 64 s between attempts, about 2 minutes in all), completed jobs kept an hour
 * (so a late duplicate delivery still finds its job), failed jobs kept a week, both bounded.
 */
export const EVENT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} as const satisfies JobsOptions;

/** How long a delivery's id is remembered to tell duplicates apart (default: one hour). */
export const DEFAULT_DEDUPE_WINDOW_MS = 3600_000;

/**
 * The key remembering that the job `jobId` was enqueued (for `dedupeWindowMs`): it tells a
 * first delivery from a repeat, and the backfill what is already known.
 */
export function seenMarkerKey(prefix: string, jobId: string): string {
  return `${prefix}:receiver:seen:${jobId}`;
}

/** Redis could not take the job now (down, slow or not yet connected): answer 503. */
export class QueueUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "QueueUnavailableError";
  }
}

/**
 * How an accepted event was stored: `accepted` (a new job in Redis), `duplicate` (its job was
 * already there), `journaled` (in the receiver's local journal, replayed into Redis later).
 */
export type EnqueueOutcome = "accepted" | "duplicate" | "journaled";

/** What the HTTP layer needs from the queue. */
export interface Enqueuer {
  /**
   * Stores the event, once per event, and resolves only once it is stored. Rejects with
   * `QueueUnavailableError` when it cannot be stored.
   */
  enqueue(event: WebhookEvent, receivedAt?: number): Promise<EnqueueOutcome>;
}

export interface EventQueueOptions {
  redis: Redis;
  /** Key prefix of the queue (config.redisPrefix). */
  prefix: string;
  /** Longest an enqueue may take before it is reported unavailable (default 2000 ms). */
  timeoutMs?: number;
  dedupeWindowMs?: number;
}

/** The producer side of the event queue. */
export interface EventQueue extends Enqueuer {
  /**
   * Puts the event in Redis: `accepted` for a first delivery, `duplicate` for a repeat, only
   * after the job is stored. Rejects with `QueueUnavailableError` when Redis cannot take it.
   */
  enqueue(event: WebhookEvent, receivedAt?: number): Promise<"accepted" | "duplicate">;
  readonly queue: Queue<EventJob>;
  /** Job counts by state, for the metrics gauge. */
  countJobs: QueueCounter;
  /** Waits for the enqueues in flight, then closes the BullMQ queue (not the Redis connection). */
  close(): Promise<void>;
}

/** Creates the BullMQ producer on `redis` (a fail-fast connection from `createProducerRedis`). */
export function createEventQueue(options: EventQueueOptions): EventQueue {
  const { redis, prefix, timeoutMs = 2000, dedupeWindowMs = DEFAULT_DEDUPE_WINDOW_MS } = options;
  const queue = new Queue<EventJob>(QUEUE_NAME, { connection: redis, prefix });
  queue.on("error", () => undefined); // connection errors surface as failed enqueues
  const inFlight = new Set<Promise<unknown>>();

  const add = async (event: WebhookEvent, receivedAt: number): Promise<void> => {
    const jobId = jobIdFor(event);
    await queue.add(jobNameFor(event), createEventJob(event, receivedAt), {
      ...EVENT_JOB_OPTIONS,
      jobId,
    });
  };

  // A marker per delivery id tells a first delivery from a repeat: BullMQ answers both alike.
  // "pending" while the add runs, "queued" once the job is stored. A repeat that finds "pending"
  // adds again (a no-op if the job exists), so a delivery whose first add failed is never lost.
  const enqueueOnce = async (event: WebhookEvent, receivedAt: number) => {
    const marker = seenMarkerKey(prefix, jobIdFor(event));
    const claimed = await redis.set(marker, "pending", "PX", dedupeWindowMs, "NX");
    if (claimed === null && (await redis.get(marker)) === "queued") return "duplicate";
    try {
      await add(event, receivedAt);
    } catch (error) {
      if (claimed !== null) await redis.del(marker).catch(() => undefined);
      throw error;
    }
    // The job is stored: a failure here only leaves "pending", which a repeat handles safely.
    await redis.set(marker, "queued", "PX", dedupeWindowMs).catch(() => undefined);
    return claimed === null ? "duplicate" : "accepted";
  };

  return {
    queue,
    async enqueue(event, receivedAt = Date.now()) {
      if (redis.status !== "ready") throw new QueueUnavailableError(describeRedis(redis));
      const work = enqueueOnce(event, receivedAt);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work)).catch(() => undefined);
      try {
        return await withDeadline(work, timeoutMs);
      } catch (error) {
        if (error instanceof QueueUnavailableError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new QueueUnavailableError(`Redis could not take the event: ${reason}`, {
          cause: error,
        });
      }
    },
    async countJobs() {
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      return counts;
    },
    async close() {
      await Promise.allSettled([...inFlight]);
      await queue.close();
    },
  };
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new QueueUnavailableError(`Redis did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
