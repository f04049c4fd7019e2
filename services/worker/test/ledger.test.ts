import { createEventJob, createWebexClient, silentLogger } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeliveryLedger,
  createJobProcessor,
  createWorkerMetrics,
  messageClaimKey,
} from "../src/index.js";
import { bot as testBot } from "./fixtures/test-bot.js";
import {
  createChatProcessor,
  createDirectChat,
  messageCreatedEvent,
} from "./helpers/direct-chat.js";

let redis: Redis;
const prefix = uniquePrefix("ledger");

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await deletePrefix(prefix);
  redis.disconnect();
});

const ledgerFor = (jobId: string, token?: string) =>
  createDeliveryLedger({ redis, prefix, queueName: "q", jobId, token });

describe("delivery ledger", () => {
  it("records intent, then skips what was sent", async () => {
    const ledger = ledgerFor("job-1");
    const before = Date.now();
    const first = await ledger.claim(0);
    expect(first.state).toBe("send");
    const intentAt = first.state === "send" ? first.intentAt : 0;
    expect(intentAt).toBeGreaterThanOrEqual(before);
    // A second claim before record: an earlier attempt may have sent it.
    expect(await ledger.claim(0)).toEqual({ state: "unsure", intentAt });
    expect(await ledger.record(0, "message-0")).toEqual({
      state: "recorded",
      messageId: "message-0",
    });
    expect(await ledger.claim(0)).toEqual({ state: "sent", messageId: "message-0" });
    expect((await ledger.claim(1)).state).toBe("send");
  });

  it("lets one bot message stand for one reply only, across jobs", async () => {
    const a = ledgerFor("job-a");
    const b = ledgerFor("job-b");
    await a.claim(0);
    await b.claim(3);
    const recorded = { state: "recorded", messageId: "shared-message" };
    expect(await a.record(0, "shared-message")).toEqual(recorded);
    expect(await a.record(0, "shared-message")).toEqual(recorded); // the same reply again: fine
    expect(await b.record(3, "shared-message")).toEqual({ state: "taken" });
    // A reply already recorded keeps its message; another one stays free for other replies.
    expect(await a.record(0, "other-message")).toEqual(recorded);
    expect(await redis.get(messageClaimKey(prefix, "q", "other-message"))).toBeNull();
    expect((await b.claim(3)).state).toBe("unsure"); // nothing recorded for b's reply
    expect(await redis.get(messageClaimKey(prefix, "q", "shared-message"))).toBe("job-a#0");
    expect(await redis.ttl(messageClaimKey(prefix, "q", "shared-message"))).toBeGreaterThan(3000);
  });

  it("withdraws the intent of a send Webex refused, unless sent or the lock is lost", async () => {
    const ledger = ledgerFor("job-r");
    await ledger.claim(0);
    await ledger.release(0);
    expect((await ledger.claim(0)).state).toBe("send");
    await ledger.record(0, "m-0");
    await ledger.release(0);
    expect(await ledger.claim(0)).toEqual({ state: "sent", messageId: "m-0" });
    await redis.set(`${prefix}:q:job-r2:lock`, "mine");
    expect((await ledgerFor("job-r2", "mine").claim(0)).state).toBe("send");
    await redis.set(`${prefix}:q:job-r2:lock`, "other-worker");
    await ledgerFor("job-r2", "mine").release(0);
    await redis.set(`${prefix}:q:job-r2:lock`, "mine");
    expect((await ledgerFor("job-r2", "mine").claim(0)).state).toBe("unsure");
  });

  it("lets only the holder of the job lock send", async () => {
    await redis.set(`${prefix}:q:job-2:lock`, "other-worker");
    expect(await ledgerFor("job-2", "mine").claim(0)).toEqual({ state: "lost" });
    await redis.set(`${prefix}:q:job-2:lock`, "mine");
    expect((await ledgerFor("job-2", "mine").claim(0)).state).toBe("send");
  });

  it("lives in the job's own hash: removed with the job, no expiry of its own", async () => {
    const jobKey = `${prefix}:q:job-3`;
    await redis.hset(jobKey, "name", "messages/created", "data", "{}");
    const ledger = ledgerFor("job-3");
    await ledger.claim(0);
    await ledger.record(0, "m");
    expect(await redis.hget(jobKey, "sent:0")).toBe("m");
    expect(await redis.hget(jobKey, "name")).toBe("messages/created");
    expect(await redis.ttl(jobKey)).toBe(-1);
    await redis.del(jobKey); // what BullMQ does when it removes the job
    expect((await ledgerFor("job-3").claim(0)).state).toBe("send");
  });

  it("expires by itself when no job hash exists (a tool's ledger)", async () => {
    await ledgerFor("job-stray").claim(0);
    const ttl = await redis.ttl(`${prefix}:q:job-stray`);
    expect(ttl).toBeGreaterThan(3600);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });

  it("reads a ledger an earlier version kept in its own key (a rolling upgrade)", async () => {
    await redis.hset(`${prefix}:q:job-4`, "name", "messages/created");
    await redis.hset(`${prefix}:q:sparkbot-replies:job-4`, "sent:0", "m0", "intent:1", "1234");
    expect(await ledgerFor("job-4").claim(0)).toEqual({ state: "sent", messageId: "m0" });
    expect(await ledgerFor("job-4").claim(1)).toEqual({ state: "unsure", intentAt: 1234 });
    expect((await ledgerFor("job-4").claim(2)).state).toBe("send");
  });
});

describe("a reply whose send was never recorded", () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });

  afterAll(async () => {
    await emulator.close();
  });

  it("is found in the room and not sent again", async () => {
    const control = new EmulatorControl(emulator.url);
    const { botPerson, user, room, webex } = await createDirectChat(emulator, control, "unsure");
    const message = await control.sendMessage({
      personId: user.id,
      roomId: room.id,
      text: "multi",
    });
    const process = await createChatProcessor({ webex }, redis, prefix);
    // An earlier attempt claimed reply 0 and Webex accepted it, but the attempt died before
    // recording it as sent.
    expect((await ledgerFor("job-unsure").claim(0)).state).toBe("send");
    await webex.messages.create({ roomId: room.id, markdown: "one" });

    const result = await process({
      id: "job-unsure",
      data: createEventJob(messageCreatedEvent(message)),
    });

    expect(result).toMatchObject({ status: "done", command: "multi", sent: 2, skipped: 1 });
    const fromBot = (await control.roomMessages(room.id)).filter(
      (m) => m.personId === botPerson.id,
    );
    expect(fromBot.map((m) => m.markdown)).toEqual(["one", "two", "three"]);
  });
});

describe("events that run no command", () => {
  it("skips the bot's own messages and events other than new messages", async () => {
    const metrics = createWorkerMetrics();
    const self = { id: "bot-id", emails: ["b@webex.bot"], displayName: "B", orgId: "o" };
    const process = createJobProcessor({
      bot: testBot,
      // Any Webex call would fail: these events must be settled without one.
      webex: createWebexClient({ accessToken: "t", apiUrl: "http://127.0.0.1:9/v1" }),
      self,
      redis,
      redisPrefix: prefix,
      commandTimeoutMs: 1000,
      metrics,
      logger: silentLogger,
    });
    const own = messageCreatedEvent({ id: "m1", roomId: "r", personId: "bot-id" });
    expect(await process({ id: "a", data: createEventJob(own) })).toEqual({
      status: "own_message",
    });
    const membership = { ...own, resource: "memberships", data: { id: "x" } };
    expect(await process({ id: "b", data: createEventJob(membership) })).toEqual({
      status: "ignored",
    });
    await expect(process({ id: "c", data: { v: 1, event: {} } })).rejects.toThrow(
      /Malformed job payload/,
    );
  });
});
