// A room's turn against real Redis: who may start, who waits, and what cannot hold a room.
import { QUEUE_NAME, roomOrderKey } from "@sparkbot/core";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoomTurns } from "../src/index.js";

describe("room turns", () => {
  const prefix = uniquePrefix("room-turn");
  let redis: Redis;
  const jobKey = (id: string): string => `${prefix}:${QUEUE_NAME}:${id}`;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await deletePrefix(prefix);
    redis.disconnect();
  });

  /** Jobs `ids` arrived in this order in `room`; each one exists, not finished. */
  async function arrive(room: string, ids: string[]): Promise<void> {
    for (const [index, id] of ids.entries()) {
      await redis.zadd(roomOrderKey(prefix, room), index + 1, id);
      await redis.hset(jobKey(id), "name", "messages/created");
    }
  }

  it("lets the first start, and the next only once the first has left", async () => {
    const turns = createRoomTurns({ redis, prefix, maxWaitMs: 60_000 });
    await arrive("r1", ["a1", "a2"]);
    expect(await turns.take("a1", "r1")).toEqual({ waitedMs: 0, forced: false });
    const second = turns.take("a2", "r1");
    let started = false;
    void second.then(() => (started = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(started).toBe(false);
    await turns.leave("a1", "r1");
    expect((await second).forced).toBe(false);
  });

  it("lets a job that is not in its room's order start at once (a retry)", async () => {
    const turns = createRoomTurns({ redis, prefix });
    await arrive("r2", ["b1"]);
    expect(await turns.take("b9", "r2")).toEqual({ waitedMs: 0, forced: false });
  });

  it("takes out earlier members whose job is gone or finished", async () => {
    const turns = createRoomTurns({ redis, prefix, maxWaitMs: 60_000 });
    await arrive("r3", ["c1", "c2", "c3"]);
    await redis.del(jobKey("c1")); // removed by an operator
    await redis.hset(jobKey("c2"), "finishedOn", String(Date.now())); // run without ordering
    expect(await turns.take("c3", "r3")).toEqual({ waitedMs: 0, forced: false });
    expect(await redis.zrange(roomOrderKey(prefix, "r3"), 0, -1)).toEqual(["c3"]);
  });

  it("starts anyway after the longest wait when an earlier one never starts", async () => {
    const turns = createRoomTurns({ redis, prefix, maxWaitMs: 150 });
    await arrive("r4", ["d1", "d2"]);
    const turn = await turns.take("d2", "r4");
    expect(turn.forced).toBe(true);
    expect(await redis.zrange(roomOrderKey(prefix, "r4"), 0, -1)).toEqual(["d1"]);
  });
});
