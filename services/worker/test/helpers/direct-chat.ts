import {
  createHttpWebexClient,
  silentLogger,
  type Message,
  type Room,
  type WebexClient,
  type WebhookEvent,
} from "@sparkbot/core";
import type { ControlPerson, EmulatorControl, RunningEmulator } from "@sparkbot/emulator";
import type { Redis } from "ioredis";
import {
  createJobProcessor,
  createWorkerMetrics,
  type JobAttempt,
  type JobResult,
} from "../../src/index.js";
import { bot as testBot } from "../fixtures/test-bot.js";

/** A bot and a user in a direct room of the emulator, and a Webex client acting as the bot. */
export interface DirectChat {
  botPerson: ControlPerson;
  user: ControlPerson;
  room: Room;
  /** A Webex client with the bot's token (the services' default, WEBEX_CLIENT=http). */
  webex: WebexClient;
}

/**
 * Creates the bot `<label>-bot@webex.bot`, the user "Ada" (`<label>@example.com`) and their
 * direct room in `emulator`.
 */
export async function createDirectChat(
  emulator: RunningEmulator,
  control: EmulatorControl,
  label: string,
): Promise<DirectChat> {
  const botPerson = await control.createPerson({
    displayName: "Bot",
    email: `${label}-bot@webex.bot`,
    type: "bot",
  });
  const user = await control.createPerson({ displayName: "Ada", email: `${label}@example.com` });
  const room = await control.createRoom({
    title: "d",
    type: "direct",
    members: [user.id, botPerson.id],
  });
  const webex = createHttpWebexClient({ accessToken: botPerson.token, apiUrl: emulator.apiUrl });
  return { botPerson, user, room, webex };
}

/** The "message created" webhook event Webex would send for `message`. */
export function messageCreatedEvent(
  message: Pick<Message, "id" | "roomId" | "personId">,
): WebhookEvent {
  return {
    id: `webhook-${message.id}`,
    name: "test",
    targetUrl: "http://127.0.0.1/sparkbot",
    resource: "messages",
    event: "created",
    data: { id: message.id, roomId: message.roomId, personId: message.personId },
  };
}

/**
 * The worker's job processor for the test bot, acting as the chat's bot, with its delivery
 * ledger under `prefix` (queue "q", 5 s command timeout, fresh metrics).
 */
export async function createChatProcessor(
  chat: Pick<DirectChat, "webex">,
  redis: Redis,
  prefix: string,
): Promise<(job: JobAttempt) => Promise<JobResult>> {
  return createJobProcessor({
    bot: testBot,
    webex: chat.webex,
    self: await chat.webex.people.me(),
    redis,
    redisPrefix: prefix,
    queueName: "q",
    commandTimeoutMs: 5000,
    metrics: createWorkerMetrics(),
    logger: silentLogger,
  });
}
