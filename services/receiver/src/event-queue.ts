import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import {
  QUEUE_EVENTS_MAX_LEN,
  QUEUE_NAME,
  createEventJob,
  jobNameFor,
  roomOfEvent,
  roomOrderCounterKey,
  roomOrderKey,
  type EventJob,
  type WebhookEvent,
} from "@sparkbot/core";
import { createJobAdder } from "./job-add.js";
import { jobIdOf } from "./job-id.js";
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
  /** `ROOM_ORDERING`: place each first delivery in its room's arrival order (default off). */
  roomOrdering?: boolean;
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

/**
 * Marks the deliveries of a batch seen, in order: each "pending" unless a marker exists; answers,
 * for each, the marker it found (0: none, this delivery is the first; a repeat within the batch
 * finds the "pending" of the first). A first delivery with room ordering on takes its place in
 * its room's arrival order (see core's jobs/room-order.ts).
 * KEYS: the order counter, then per delivery its marker and room set.
 * ARGV: window ms, then per delivery "1" to order and its job id.
 */
const MARK_SEEN_SCRIPT = `
local found = {}
for i = 1, (#KEYS - 1) / 2 do
  local marker, room = KEYS[2 * i], KEYS[2 * i + 1]
  local previous = redis.call("GET", marker)
  if previous then
    found[i] = previous
  else
    redis.call("SET", marker, "pending", "PX", ARGV[1])
    if ARGV[2 * i] == "1" then
      redis.call("ZADD", room, redis.call("INCR", KEYS[1]), ARGV[2 * i + 1])
      redis.call("PEXPIRE", room, ARGV[1])
    end
    found[i] = 0
  end
end
return found
`;

/**
 * After the adds: each marker says "queued" only once its job is stored (the job, or BullMQ's
 * deduplication key of it, exists), for as long as that deduplication key lives; otherwise it
 * stays as it was ("pending": a later delivery, the journal or the backfill adds it again), and
 * the job leaves its room's order (it would hold the room's later commands).
 * KEYS: per delivery its marker, job, deduplication key and room set. ARGV: window ms, then per
 * delivery its job id.
 */
const MARK_QUEUED_SCRIPT = `
for i = 1, #KEYS / 4 do
  local base = 4 * (i - 1)
  if redis.call("EXISTS", KEYS[base + 2]) == 0 and redis.call("EXISTS", KEYS[base + 3]) == 0 then
    redis.call("ZREM", KEYS[base + 4], ARGV[i + 1])
  else
    local ttl = redis.call("PTTL", KEYS[base + 3])
    if ttl <= 0 then ttl = tonumber(ARGV[1]) end
    redis.call("SET", KEYS[base + 1], "queued", "PX", ttl)
  end
end
return #KEYS / 4
`;

interface MarkerCommands {
  sparkbotMarkSeenBatch(numberOfKeys: number, ...args: string[]): unknown;
  sparkbotMarkQueuedBatch(numberOfKeys: number, ...args: string[]): unknown;
}

/** One enqueue waiting for its batch's round trip. */
interface PendingEnqueue {
  event: WebhookEvent;
  receivedAt: number;
  /** Settles the enqueue's promise (only the first call counts). */
  settle(error: unknown, outcome?: "accepted" | "duplicate"): void;
}

/** The enqueues of one event-loop turn, sent in one pipeline, and the deadline they share. */
interface Batch {
  entries: PendingEnqueue[];
  deadline: NodeJS.Timeout | undefined;
}

/**
 * Creates the BullMQ producer on `redis` (a fail-fast connection from `createProducerRedis`).
 *
 * One round trip per enqueue, shared by every enqueue of the same event-loop turn: each event
 * is three commands in one pipeline: mark the delivery seen ("pending" unless a marker exists),
 * BullMQ's add with the job id and BullMQ's deduplication on that id (so that a job completed
 * and removed is not added again while its delivery is remembered), then the marker "queued"
 * if the job is stored. The first answer tells a first delivery from a repeat. The reply comes
 * only after Redis ran all three (and, with `appendfsync always`, wrote them to disk).
 *
 * The enqueues of one turn also share one deadline (one timer, not one per enqueue): each fails
 * with `QueueUnavailableError` once `timeoutMs` passed since the turn's first enqueue, whatever
 * Redis answers later (the pipeline is sent within that turn, so this is the enqueue's own
 * deadline but for the time the turn takes).
 */
export function createEventQueue(options: EventQueueOptions): EventQueue {
  const { redis, prefix, timeoutMs = 2000, dedupeWindowMs = DEFAULT_DEDUPE_WINDOW_MS } = options;
  const queue = new Queue<EventJob>(QUEUE_NAME, {
    connection: redis,
    prefix,
    streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } },
  });
  queue.on("error", () => undefined); // connection errors surface as failed enqueues
  const counterKey = roomOrderCounterKey(prefix);
  if (!("sparkbotMarkSeenBatch" in redis)) {
    // No fixed number of keys: each call says how many (one batch's).
    redis.defineCommand("sparkbotMarkSeenBatch", { lua: MARK_SEEN_SCRIPT });
    redis.defineCommand("sparkbotMarkQueuedBatch", { lua: MARK_QUEUED_SCRIPT });
  }
  const window = String(dedupeWindowMs);
  const ordering = options.roomOrdering === true;
  const addJob = createJobAdder(queue as unknown as Queue, EVENT_JOB_OPTIONS);
  const ttl = dedupeWindowMs;
  const inFlight = new Set<Promise<void>>(); // pipelines waiting for Redis
  let open: Batch | undefined; // this turn's enqueues, not sent yet

  const expire = (batch: Batch) => {
    const error = new QueueUnavailableError(`Redis did not answer within ${timeoutMs} ms`);
    for (const entry of batch.entries) entry.settle(error);
  };

  const send = async (batch: Batch): Promise<void> => {
    const { entries } = batch;
    try {
      const client = await queue.client;
      const pipeline = client.pipeline();
      const commands = pipeline as unknown as MarkerCommands;
      const seenKeys = [counterKey];
      const seenArgs = [window];
      const queuedKeys: string[] = [];
      const queuedArgs = [window];
      const adds: { event: WebhookEvent; receivedAt: number; jobId: string }[] = [];
      for (const { event, receivedAt } of entries) {
        const jobId = jobIdOf(event);
        const marker = seenMarkerKey(prefix, jobId);
        const room = roomOfEvent(event);
        const roomKey = roomOrderKey(prefix, room ?? "");
        seenKeys.push(marker, roomKey);
        seenArgs.push(ordering && room !== undefined ? "1" : "0", jobId);
        queuedKeys.push(marker, queue.toKey(jobId), queue.toKey(`de:${jobId}`), roomKey);
        queuedArgs.push(jobId);
        adds.push({ event, receivedAt, jobId });
      }
      commands.sparkbotMarkSeenBatch(seenKeys.length, ...seenKeys, ...seenArgs);
      for (const { event, receivedAt, jobId } of adds) {
        // As BullMQ's own addBulk does: the script is queued on the pipeline synchronously;
        // its answer is the pipeline's (read below).
        addJob(pipeline, jobNameFor(event), createEventJob(event, receivedAt), jobId, ttl).catch(
          () => undefined,
        );
      }
      commands.sparkbotMarkQueuedBatch(queuedKeys.length, ...queuedKeys, ...queuedArgs);
      const answers = (await pipeline.exec()) ?? [];
      const [seenError, found] = answers[0] ?? [new Error("no answer")];
      const previous = Array.isArray(found) ? (found as unknown[]) : [];
      for (let index = 0; index < entries.length; index += 1) {
        const entry = entries[index] as PendingEnqueue;
        const [addError] = answers[index + 1] ?? [new Error("no answer")];
        const error = seenError ?? addError;
        if (error) entry.settle(error);
        else if (previous[index] === undefined) entry.settle(new Error("no answer"));
        else entry.settle(undefined, previous[index] === 0 ? "accepted" : "duplicate");
      }
    } catch (error) {
      for (const entry of entries) entry.settle(error);
    } finally {
      clearTimeout(batch.deadline);
    }
  };

  const flush = () => {
    const batch = open;
    open = undefined;
    if (batch === undefined) return;
    const sent = send(batch);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };

  const enqueueOnce = (event: WebhookEvent, receivedAt: number) =>
    new Promise<"accepted" | "duplicate">((resolve, reject) => {
      let batch = open;
      if (batch === undefined) {
        const created: Batch = { entries: [], deadline: undefined };
        created.deadline = setTimeout(() => expire(created), timeoutMs);
        batch = open = created;
        setImmediate(flush);
      }
      let settled = false;
      batch.entries.push({
        event,
        receivedAt,
        settle: (error, outcome) => {
          if (settled) return;
          settled = true;
          if (outcome !== undefined) resolve(outcome);
          else reject(error instanceof Error ? error : new Error(String(error)));
        },
      });
    });

  return {
    queue,
    async enqueue(event, receivedAt = Date.now()) {
      if (redis.status !== "ready") throw new QueueUnavailableError(describeRedis(redis));
      try {
        return await enqueueOnce(event, receivedAt);
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
      // Waits for the enqueues in flight: this turn's (sent at its end), and those sent before.
      if (open !== undefined) await new Promise((resolve) => setImmediate(resolve));
      await Promise.allSettled([...inFlight]);
      await queue.close();
    },
  };
}
