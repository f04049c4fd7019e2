import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_EVENTS_MAX_LEN, QUEUE_NAME, jobIdFor } from "@sparkbot/core";

/** Where the job of one message is: not queued yet, queued or running, or finished. */
export type JobProgress =
  | { state: "absent" }
  | { state: "pending"; attemptsMade: number; failedReason: string | undefined }
  | { state: "completed" }
  | { state: "failed"; failedReason: string };

/** Reads the state of the job the receiver queued for a message, from the queue in Redis. */
export interface JobWatch {
  progress(messageId: string): Promise<JobProgress>;
  close(): Promise<void>;
}

/**
 * The job id of the message `messageId`: the receiver derives it from the webhook event of the
 * new message (`jobIdFor`), so the same id names the job that runs the command.
 */
export function messageJobId(messageId: string): string {
  return jobIdFor({ resource: "messages", event: "created", data: { id: messageId } });
}

/**
 * Connects to the queue at `redisUrl` (key prefix `prefix`). Rejects with one line when Redis
 * does not answer within `timeoutMs`.
 */
export async function openJobWatch(
  redisUrl: string,
  prefix: string,
  timeoutMs = 2_000,
): Promise<JobWatch> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Redis at ${redisUrl} does not answer (${reason})`);
  }
  const queue = new Queue(QUEUE_NAME, {
    connection: redis,
    prefix,
    streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } },
  });
  queue.on("error", () => undefined);
  return {
    async progress(messageId) {
      const job = await queue.getJob(messageJobId(messageId));
      if (job === undefined) return { state: "absent" };
      const state = await job.getState();
      if (state === "completed") return { state: "completed" };
      if (state === "failed") return { state: "failed", failedReason: job.failedReason };
      if (state === "unknown") return { state: "absent" };
      return {
        state: "pending",
        attemptsMade: job.attemptsMade,
        failedReason: job.failedReason || undefined,
      };
    },
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}
