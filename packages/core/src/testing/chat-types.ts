import type { AccessDenial, AccessPolicy } from "../access/rules.js";
import type { CommandOutcome } from "../bot/types.js";
import type { AdaptiveCard } from "../cards/card-types.js";
import type { Logger } from "../logging/logger.js";
import type { Message, Person, Room } from "../webex/types.js";
import type { NewPerson } from "./in-memory-webex.js";

/**
 * A caller picked by email (and organisation): the person with that email, added to the
 * in-memory Webex on first use (display name from the email, the test organisation by default).
 */
export interface CallerSpec {
  email: string;
  orgId?: string;
  displayName?: string;
  /** `bot` makes the caller another bot (ignored unless the policy allows bots). */
  type?: "person" | "bot";
}

/** Settings of `createTestChat`. */
export interface TestChatOptions {
  /** The bot's identity (default display name "SparkBot"). */
  bot?: NewPerson;
  /** The person who writes by default (default display name "Test User"). */
  user?: NewPerson | CallerSpec;
  /** Where `send` writes by default: a direct room (default) or a group room. */
  roomType?: "direct" | "group";
  /**
   * The deployment's access policy, as the worker passes it (`loadAccessPolicy(env)` reads it
   * from `ACCESS_*` variables); its command names are checked against the bot's commands.
   */
  access?: AccessPolicy;
  logger?: Logger;
}

/** Per-message settings of `send`, `run` and `stream`. */
export interface SendOptions {
  /** Write in the group room (the bot is mentioned first) or the direct room. */
  roomType?: "direct" | "group";
  /** Who writes: a Person (add people with `chat.webex.addPerson`), or one picked by email. */
  from?: Person | CallerSpec;
  /** Write in this room (one of `chat.webex`'s) instead of the direct or group room. */
  room?: Room;
  /** In a group room, start with the bot's mention (default true). */
  mention?: boolean;
  /** Stops the command; a `CommandTimeoutError` reason gives the timeout reply. */
  signal?: AbortSignal;
  files?: string[];
  parentId?: string;
}

/** The replies of one run with how it ended. */
export interface TestChatResult {
  /** Each reply's markdown (a card's or a file's text included), or its text. */
  replies: string[];
  /** The messages the bot sent, as Webex keeps them: `attachments`, `files`, `parentId`… */
  sent: Message[];
  /** The Adaptive Cards among them, in order. */
  cards: AdaptiveCard[];
  command: string | undefined;
  outcome: CommandOutcome | undefined;
  /** Why access control refused the message, when it did. */
  denial?: AccessDenial;
  /** What a handler threw, when the outcome is `error` (a `ReplyError` says what to fix). */
  error?: unknown;
}

/** Settings of `submitCard`. */
export interface SubmitOptions {
  /** Values of the card's inputs, by id; inputs left out submit the value the card set. */
  inputs?: Record<string, unknown>;
  /** The title of the Action.Submit pressed (needed when the card has several). */
  button?: string;
  /** Who submits (default: the chat's user). */
  from?: Person | CallerSpec;
  signal?: AbortSignal;
}

/** Settings of the membership events (`botAdded`, `personJoined`…). */
export interface MembershipEventOptions {
  /** The room (default: a new group room for `botAdded`, the chat's group room otherwise). */
  room?: Room;
  /** Who did it (default: the chat's user; for `personLeft`, the person who left). */
  by?: Person | CallerSpec;
  signal?: AbortSignal;
}
