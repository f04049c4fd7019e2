// The receiver adds its jobs without BullMQ's Job object (src/job-add.ts); the job BullMQ stores
// must be the one `Job.addJob` stores for the same job: every field of the job's hash, its
// deduplication key, and its place in the wait list.
import { Job, Queue } from "bullmq";
import { QUEUE_NAME, createEventJob, jobIdFor, jobNameFor } from "@sparkbot/core";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DEDUPE_WINDOW_MS, EVENT_JOB_OPTIONS } from "../src/event-queue.js";
import { createJobAdder } from "../src/job-add.js";
import { makeEvent } from "./helpers.js";

describe("adding a job without BullMQ's Job object", () => {
  const viaJob = uniquePrefix("job-add-bullmq");
  const viaAdder = uniquePrefix("job-add-receiver");
  let redis: Redis;
  let bullmqQueue: Queue;
  let receiverQueue: Queue;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
    bullmqQueue = new Queue(QUEUE_NAME, { connection: redis, prefix: viaJob });
    receiverQueue = new Queue(QUEUE_NAME, { connection: redis, prefix: viaAdder });
  });

  afterAll(async () => {
    await bullmqQueue?.close();
    await receiverQueue?.close();
    redis?.disconnect();
    await deletePrefix(viaJob);
    await deletePrefix(viaAdder);
  });

  /** The job's hash with its key prefix taken out, and without the time it was added. */
  async function storedJob(queue: Queue, jobId: string): Promise<Record<string, string>> {
    const fields = await redis.hgetallBuffer(queue.toKey(jobId));
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (name !== "timestamp") out[name] = value.toString("base64");
    }
    return out;
  }

  it("stores the same job, deduplication key and wait-list entry as Job.addJob", async () => {
    const event = makeEvent();
    const jobId = jobIdFor(event);
    const data = createEventJob(event, 1_700_000_000_000);
    const ttl = DEFAULT_DEDUPE_WINDOW_MS;

    const reference = (await bullmqQueue.client).pipeline();
    const job = new Job(
      bullmqQueue,
      jobNameFor(event),
      data,
      { ...EVENT_JOB_OPTIONS, jobId, deduplication: { id: jobId, ttl } },
      jobId,
    );
    void job.addJob(reference, { parentDependenciesKey: "" }).catch(() => undefined);
    const referenceAnswers = await reference.exec();

    const ours = (await receiverQueue.client).pipeline();
    const adder = createJobAdder(receiverQueue, EVENT_JOB_OPTIONS);
    void adder(ours, jobNameFor(event), data, jobId, ttl).catch(() => undefined);
    const ourAnswers = await ours.exec();

    expect(ourAnswers).toEqual(referenceAnswers);
    const stored = await storedJob(receiverQueue, jobId);
    expect(Object.keys(stored).length).toBeGreaterThan(3);
    expect(stored).toEqual(await storedJob(bullmqQueue, jobId));
    expect(await redis.hget(receiverQueue.toKey(jobId), "timestamp")).toMatch(/^\d+$/);
    expect(await redis.get(receiverQueue.toKey(`de:${jobId}`))).toBe(
      await redis.get(bullmqQueue.toKey(`de:${jobId}`)),
    );
    const pttl = await redis.pttl(receiverQueue.toKey(`de:${jobId}`));
    expect(pttl).toBeGreaterThan(ttl - 60_000);
    expect(await redis.lrange(receiverQueue.toKey("wait"), 0, -1)).toEqual(
      await redis.lrange(bullmqQueue.toKey("wait"), 0, -1),
    );
    const fetched = await receiverQueue.getJob(jobId);
    expect(fetched?.data).toEqual(data);
    expect(fetched?.opts).toEqual((await bullmqQueue.getJob(jobId))?.opts);
    expect(fetched?.opts.attempts).toBe(8);
  });

  it("answers a duplicate as Job.addJob does: the job is not added again", async () => {
    const event = makeEvent();
    const jobId = jobIdFor(event);
    const adder = createJobAdder(receiverQueue, EVENT_JOB_OPTIONS);
    const data = createEventJob(event, 1_700_000_000_000);
    for (let round = 0; round < 2; round += 1) {
      const pipeline = (await receiverQueue.client).pipeline();
      void adder(pipeline, jobNameFor(event), data, jobId, 60_000).catch(() => undefined);
      const answers = await pipeline.exec();
      expect(answers?.[0]?.[0]).toBeNull();
    }
    const waiting = await redis.lrange(receiverQueue.toKey("wait"), 0, -1);
    expect(waiting.filter((id) => id === jobId)).toHaveLength(1);
  });
});
