import {
  WebexApiError,
  WebexNetworkError,
  WebexTimeoutError,
  createEventJob,
  createWebexClient,
  silentLogger,
  type Message,
  type WebexClient,
} from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDeliveryLedger,
  createWorkerMetrics,
  deliverReply,
  findDeliveredReply,
  messageClaimKey,
} from "../src/index.js";
import {
  createChatProcessor,
  createDirectChat,
  messageCreatedEvent,
  type DirectChat,
} from "./helpers/direct-chat.js";

// Replies whose send had an unknown outcome, against the emulator's faults: every reply ends
// up in the room exactly once, and no reply is taken for another's identical one.

let redis: Redis;
let emulator: RunningEmulator;
let control: EmulatorControl;
const prefix = uniquePrefix("identity");
let chats = 0;

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  emulator = await startEmulator();
  control = new EmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator?.close();
  await deletePrefix(prefix);
  redis.disconnect();
});

async function newChat(): Promise<DirectChat> {
  chats += 1;
  return createDirectChat(emulator, control, `identity-${chats}`);
}

async function botReplies(chat: DirectChat): Promise<Message[]> {
  const all = await control.roomMessages(chat.room.id);
  return all.filter((m) => m.personId === chat.botPerson.id);
}

/** Runs job `jobId` for `message` once; resolves the result or the error it failed with. */
async function attempt(chat: DirectChat, job: string, message: Message, webex?: WebexClient) {
  const process = await createChatProcessor({ webex: webex ?? chat.webex }, redis, prefix);
  const id = `${chat.room.id}-${job}`; // job ids unique to the chat: every test has its own
  return process({ id, data: createEventJob(messageCreatedEvent(message)) }).catch(
    (error: unknown) => error,
  );
}

const ledgerOf = (jobId: string) =>
  createDeliveryLedger({ redis, prefix, queueName: "q", jobId, token: undefined });

describe("a reply whose send failed", () => {
  it("is not taken for another job's identical reply sent meanwhile", async () => {
    const chat = await newChat();
    const first = await control.sendMessage({
      personId: chat.user.id,
      roomId: chat.room.id,
      text: "ping",
    });
    const second = await control.sendMessage({
      personId: chat.user.id,
      roomId: chat.room.id,
      text: "ping",
    });
    // Job A's send fails before Webex creates anything: its outcome is unknown to the worker.
    await control.fault({ method: "POST", path: "/v1/messages", status: 500, count: 1 });
    expect(await attempt(chat, "job-a", first)).toBeInstanceOf(WebexApiError);
    // Job B answers its own ping meanwhile, with the same **pong**.
    expect(await attempt(chat, "job-b", second)).toMatchObject({ sent: 1, skipped: 0 });
    // A's retry finds B's **pong**, claimed by B: not A's. A sends its own.
    expect(await attempt(chat, "job-a", first)).toMatchObject({ sent: 1, skipped: 0 });
    expect((await botReplies(chat)).map((m) => m.markdown)).toEqual(["**pong**", "**pong**"]);
  });

  const ambiguous = [
    { name: "created, then answered 500", fault: { status: 500 }, error: WebexApiError },
    {
      name: "created, then the connection dropped",
      fault: { drop: true },
      error: WebexNetworkError,
    },
    {
      name: "created, then answered past the client's timeout",
      fault: { delayMs: 3000 },
      error: WebexTimeoutError,
    },
  ] as const;

  for (const { name, fault, error } of ambiguous) {
    it(`${name}: is found in the room on the retry and not sent again`, async () => {
      const chat = await newChat();
      const webex = createWebexClient({
        accessToken: chat.botPerson.token,
        apiUrl: emulator.apiUrl,
        timeoutMs: 1000,
      });
      const first = await control.sendMessage({
        personId: chat.user.id,
        roomId: chat.room.id,
        text: "ping",
      });
      const second = await control.sendMessage({
        personId: chat.user.id,
        roomId: chat.room.id,
        text: "ping",
      });
      await control.fault({
        method: "POST",
        path: "/v1/messages",
        after: true,
        count: 1,
        ...fault,
      });
      expect(await attempt(chat, "job-a", first, webex)).toBeInstanceOf(error);
      expect(await botReplies(chat)).toHaveLength(1); // Webex did create A's reply
      // B's identical reply lands before A's retry; A still finds exactly its own.
      expect(await attempt(chat, "job-b", second, webex)).toMatchObject({ sent: 1 });
      expect(await attempt(chat, "job-a", first, webex)).toMatchObject({ sent: 0, skipped: 1 });
      const replies = await botReplies(chat);
      expect(replies.map((m) => m.markdown)).toEqual(["**pong**", "**pong**"]);
      const owners = await Promise.all(
        replies.map((m) => redis.get(messageClaimKey(prefix, "q", m.id))),
      );
      expect(owners.sort()).toEqual([`${chat.room.id}-job-a#0`, `${chat.room.id}-job-b#0`]);
    });
  }

  it("is found however many messages came after it: the room is read back to the intent", async () => {
    const chat = await newChat();
    const message = await control.sendMessage({
      personId: chat.user.id,
      roomId: chat.room.id,
      text: "multi",
    });
    // An attempt recorded its intent for reply 0, Webex created it, and the attempt died.
    expect((await ledgerOf(`${chat.room.id}-job-deep`).claim(0)).state).toBe("send");
    await chat.webex.messages.create({ roomId: chat.room.id, markdown: "one" });
    for (let i = 0; i < 260; i += 1) {
      await chat.webex.messages.create({ roomId: chat.room.id, markdown: `other ${i}` });
    }
    expect(await attempt(chat, "job-deep", message)).toMatchObject({ sent: 2, skipped: 1 });
    const texts = (await botReplies(chat)).map((m) => m.markdown);
    expect(texts.filter((t) => t === "one")).toHaveLength(1);
    expect(texts.slice(-2)).toEqual(["two", "three"]);
  });

  it("gives way when another reply claimed its message first, and is then resolved again", async () => {
    const chat = await newChat();
    const metrics = createWorkerMetrics();
    const deps = {
      webex: chat.webex,
      self: await chat.webex.people.me(),
      metrics,
      logger: silentLogger,
    };
    const target = (jobId: string) => ({
      jobId,
      roomId: chat.room.id,
      roomType: "direct" as const,
    });
    // Job A's send of **pong** has an unknown outcome (its message was never created).
    const a = ledgerOf("job-race-a");
    const intent = await a.claim(0);
    expect(intent.state).toBe("send");
    // Job B sends **pong**; before B records it, A's retry resolves its own reply and claims
    // B's fresh message, which nobody has claimed yet.
    let raced = false;
    const racing: WebexClient = {
      ...chat.webex,
      messages: {
        ...chat.webex.messages,
        create: async (message) => {
          const created = await chat.webex.messages.create(message);
          if (raced) return created;
          raced = true;
          const found = await findDeliveredReply(deps, a, {
            ...target("job-race-a"),
            index: 0,
            reply: { markdown: "**pong**" },
            intentAt: intent.state === "send" ? intent.intentAt : 0,
          });
          expect(found).toEqual({ outcome: "found", messageId: created.id });
          return created;
        },
      },
    };
    const counts = { sent: 0, skipped: 0 };
    await deliverReply(
      { ...deps, webex: racing },
      ledgerOf("job-race-b"),
      target("job-race-b"),
      0,
      { markdown: "**pong**" },
      counts,
    );
    // B's message stands for A now; B found no other unclaimed **pong**, so it sent one more.
    expect(counts).toEqual({ sent: 1, skipped: 0 });
    const replies = await botReplies(chat);
    expect(replies.map((m) => m.markdown)).toEqual(["**pong**", "**pong**"]);
    const owners = await Promise.all(
      replies.map((m) => redis.get(messageClaimKey(prefix, "q", m.id))),
    );
    expect(owners).toEqual(["job-race-a#0", "job-race-b#0"]);
    expect(await metrics.replyClaimConflicts.get()).toMatchObject({ values: [{ value: 1 }] });
  });
});

describe("in a group room, where bots cannot list the bot's own messages", () => {
  it("an unknown outcome cannot be checked: the reply is sent again and counted", async () => {
    const chat = await newChat();
    const metrics = createWorkerMetrics();
    const deps = {
      webex: chat.webex,
      self: await chat.webex.people.me(),
      metrics,
      logger: silentLogger,
    };
    const group = await control.createRoom({
      title: "g",
      type: "group",
      members: [chat.user.id, chat.botPerson.id],
    });
    const ledger = ledgerOf("job-group");
    expect((await ledger.claim(0)).state).toBe("send");
    await chat.webex.messages.create({ roomId: group.id, markdown: "**pong**" }); // created, unrecorded
    const counts = { sent: 0, skipped: 0 };
    await deliverReply(
      deps,
      ledger,
      { jobId: "job-group", roomId: group.id, roomType: "group" },
      0,
      { markdown: "**pong**" },
      counts,
    );
    expect(counts).toEqual({ sent: 1, skipped: 0 });
    const values = (await metrics.repliesUnverifiable.get()).values;
    expect(values).toEqual([
      expect.objectContaining({ value: 1, labels: { reason: "group_room" } }),
    ]);
  });
});
