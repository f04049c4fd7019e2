import { createHash } from "node:crypto";
import type { EmulatorStore } from "./state/store.js";

/** What `--seed` creates: the same accounts and rooms as `sparkbot dev`. */
export interface SeedOptions {
  /** The bot's bearer token (default: a random one). Give one to keep it across restarts. */
  botToken?: string;
}

/** The ids of a seeded world. */
export interface SeededWorld {
  botId: string;
  botToken: string;
  userId: string;
  userToken: string;
  rooms: { direct: string; group: string };
}

/** A uuid derived from a name, so that a restarted emulator seeds the very same ids. */
export function stableUuid(name: string): string {
  const hex = createHash("sha256").update(`sparkbot-emulator:${name}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Creates the bot (SparkBot, sparkbot@webex.bot), a user (Dev User, dev@example.com), their direct
 * room and a group room with both, with ids that are the same on every start. With the same
 * `botToken`, services started against an emulator that restarts keep working: the bot's token,
 * its id and its rooms are the same again (messages and webhooks are not kept).
 */
export function seedDevWorld(store: EmulatorStore, options: SeedOptions = {}): SeededWorld {
  const bot = store.createPerson({
    displayName: "SparkBot",
    email: "sparkbot@webex.bot",
    type: "bot",
    uuid: stableUuid("person:bot"),
    ...(options.botToken !== undefined ? { token: options.botToken } : {}),
  });
  const user = store.createPerson({
    displayName: "Dev User",
    email: "dev@example.com",
    type: "person",
    uuid: stableUuid("person:user"),
  });
  const members = [user.person.id, bot.person.id];
  const direct = store.createRoom({
    title: "Dev User",
    type: "direct",
    members,
    uuid: stableUuid("room:direct"),
  });
  const group = store.createRoom({
    title: "SparkBot dev room",
    type: "group",
    members,
    uuid: stableUuid("room:group"),
  });
  return {
    botId: bot.person.id,
    botToken: bot.token,
    userId: user.person.id,
    userToken: user.token,
    rooms: { direct: direct.room.id, group: group.room.id },
  };
}
