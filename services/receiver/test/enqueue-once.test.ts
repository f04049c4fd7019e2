// The enqueue's guarantees, now that it is one pipeline per event-loop turn: a first delivery
// is "accepted" and a repeat "duplicate"; a job is never added twice while its delivery is
// remembered, even once BullMQ has removed the completed job; the seen marker says "queued"
// only when the job is stored, and a "pending" one (an enqueue cut short) is completed.
import { Queue, Worker } from "bullmq";
import { QUEUE_NAME, jobIdFor, type EventJob } from "@sparkbot/core";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix, waitFor } from "@sparkbot/testkit";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventQueue, seenMarkerKey, type EventQueue } from "../src/event-queue.js";
import { createProducerRedis, waitForRedis } from "../src/redis.js";
import { makeEvent } from "./helpers.js";

describe("enqueue once, in one round trip", () => {
  const prefix = uniquePrefix("enqueue-once");
  let redis: Redis;
  let queue: EventQueue;
  let inspect: Queue<EventJob>;

  beforeAll(async () => {
    redis = createProducerRedis(TEST_REDIS_URL);
    expect(await waitForRedis(redis, 10_000)).toBe(true);
    queue = createEventQueue({ redis, prefix });
    inspect = new Queue<EventJob>(QUEUE_NAME, {
      connection: { url: TEST_REDIS_URL },
      prefix,
      skipMetasUpdate: true,
    });
  });

  afterAll(async () => {
    await queue?.close();
    await inspect?.close();
    redis?.disconnect();
    await deletePrefix(prefix);
  });

  it("answers accepted once and duplicate for the rest when many arrive at once", async () => {
    const event = makeEvent();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => queue.enqueue(event)));
    expect(outcomes.filter((outcome) => outcome === "accepted")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "duplicate")).toHaveLength(7);
    expect(await inspect.getJob(jobIdFor(event))).toBeDefined();
    expect(await redis.get(seenMarkerKey(prefix, jobIdFor(event)))).toBe("queued");
  });

  it("stores each of a burst of different events, each accepted", async () => {
    const events = Array.from({ length: 25 }, () => makeEvent());
    const outcomes = await Promise.all(events.map((event) => queue.enqueue(event)));
    expect(new Set(outcomes)).toEqual(new Set(["accepted"]));
    for (const event of events) expect(await inspect.getJob(jobIdFor(event))).toBeDefined();
  });

  it("does not add a job again once BullMQ removed it, while the delivery is remembered", async () => {
    const event = makeEvent();
    expect(await queue.enqueue(event)).toBe("accepted");
    // A worker completes it, and later BullMQ removes it (removeOnComplete: an hour or 10,000
    // jobs on): its keys are deleted, its deduplication key is left to expire (as here).
    const worker = new Worker(QUEUE_NAME, async () => "done", {
      connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null },
      prefix,
    });
    try {
      await waitFor(async () => (await inspect.getJob(jobIdFor(event)))?.finishedOn !== undefined, {
        timeoutMs: 10_000,
        what: "the job completed",
      });
    } finally {
      await worker.close();
    }
    await redis.zrem(inspect.toKey("completed"), jobIdFor(event));
    await redis.del(inspect.toKey(jobIdFor(event)));
    expect(await inspect.getJob(jobIdFor(event))).toBeUndefined();
    expect(await queue.enqueue(event)).toBe("duplicate");
    expect(await inspect.getJob(jobIdFor(event))).toBeUndefined();
  });

  it("completes an enqueue a receiver began and never finished (a pending marker)", async () => {
    const event = makeEvent();
    const marker = seenMarkerKey(prefix, jobIdFor(event));
    await redis.set(marker, "pending", "PX", 60_000);
    expect(await queue.enqueue(event)).toBe("duplicate");
    expect(await inspect.getJob(jobIdFor(event))).toBeDefined();
    expect(await redis.get(marker)).toBe("queued");
    expect(await redis.pttl(marker)).toBeGreaterThan(3000_000);
  });
});
