import { WebexApiError, createEventJob } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  createChatProcessor,
  createDirectChat,
  messageCreatedEvent,
} from "./helpers/direct-chat.js";

// The cause of a flaky "429 pauses the whole queue" run: a reply refused with 429 was left
// "unsure", and its retry, searching the room, took an identical reply of ANOTHER job (two
// pings answered at once) for its own and never sent it. A refused send is now withdrawn.

let redis: Redis;
let emulator: RunningEmulator;
const prefix = uniquePrefix("refused");

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator.close();
  await deletePrefix(prefix);
  redis.disconnect();
});

it("a reply refused with 429 is sent by the retry even when another job said the same", async () => {
  const control = new EmulatorControl(emulator.url);
  const { botPerson, user, room, webex } = await createDirectChat(emulator, control, "refused");
  const process = await createChatProcessor({ webex }, redis, prefix);
  const first = await control.sendMessage({ personId: user.id, roomId: room.id, text: "ping" });
  const second = await control.sendMessage({ personId: user.id, roomId: room.id, text: "ping" });
  await control.fault({ method: "POST", path: "/v1/messages", status: 429, count: 1 });

  const refused = await process({
    id: "job-a",
    data: createEventJob(messageCreatedEvent(first)),
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(WebexApiError);
  expect(refused).toMatchObject({ status: 429 });
  // Another job answers the other ping in the same room meanwhile...
  await expect(
    process({ id: "job-b", data: createEventJob(messageCreatedEvent(second)) }),
  ).resolves.toMatchObject({ sent: 1 });
  // ...and the retry of the first still sends its own answer.
  const retried = await process({
    id: "job-a",
    data: createEventJob(messageCreatedEvent(first)),
    attemptsStarted: 2,
  });
  expect(retried).toMatchObject({ status: "done", sent: 1, skipped: 0 });
  const fromBot = (await control.roomMessages(room.id)).filter((m) => m.personId === botPerson.id);
  expect(fromBot.map((m) => m.markdown)).toEqual(["**pong**", "**pong**"]);
});
