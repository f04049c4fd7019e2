import { randomUUID } from "node:crypto";
import type { AccessDenial, AccessPolicy } from "../access/rules.js";
import type { SparkBot } from "../bot/sparkbot.js";
import type { CommandInput, CommandOutcome } from "../bot/types.js";
import { CommandSetupError } from "../errors/errors.js";
import type { Logger } from "../logging/logger.js";
import type { Message, Person, Room } from "../webex/types.js";
import type { WebhookEvent } from "../webex/webhook-event.js";
import { InMemoryWebex, type NewPerson } from "./in-memory-webex.js";

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

/** The replies of one message with how the run ended. */
export interface TestChatResult {
  replies: string[];
  command: string | undefined;
  outcome: CommandOutcome | undefined;
  /** Why access control refused the message, when it did. */
  denial?: AccessDenial;
}

/** A conversation with a bot over an in-memory Webex. Create one with `createTestChat`. */
export class TestChat {
  readonly webex: InMemoryWebex;
  readonly user: Person;
  readonly directRoom: Room;
  readonly groupRoom: Room;
  readonly #bot: SparkBot;
  readonly #options: TestChatOptions;

  constructor(bot: SparkBot, options: TestChatOptions = {}) {
    this.#bot = bot;
    this.#options = options;
    if (options.access !== undefined) {
      const unknown = bot.unknownAccessCommands(options.access);
      if (unknown.length > 0) {
        throw new CommandSetupError(
          `The access policy names commands the bot does not have: ${unknown.join(", ")}.`,
        );
      }
    }
    this.webex = new InMemoryWebex(options.bot);
    this.user = this.person(options.user ?? { displayName: "Test User" });
    this.directRoom = this.webex.addRoom({ type: "direct", members: [this.user] });
    this.groupRoom = this.webex.addRoom({
      type: "group",
      title: "Test group",
      members: [this.user],
    });
  }

  /** The bot's own Person. */
  get self(): Person {
    return this.webex.me;
  }

  /** Sends `text` and resolves with every reply (markdown), in order. */
  async send(text: string, options: SendOptions = {}): Promise<string[]> {
    return (await this.run(text, options)).replies;
  }

  /** Sends `text` and resolves with the replies, the command name and the outcome. */
  async run(text: string, options: SendOptions = {}): Promise<TestChatResult> {
    const message = this.write(text, options);
    const run = this.#bot.run(this.#input(message, options));
    const replies: string[] = [];
    for await (const reply of run) {
      await this.webex.messages.create({ roomId: message.roomId, markdown: reply.markdown });
      replies.push(reply.markdown);
    }
    const result: TestChatResult = { replies, command: run.command, outcome: run.outcome };
    if (run.denial !== undefined) result.denial = run.denial;
    return result;
  }

  /**
   * The person for `who`: a Person as is, or the one with `who.email` (created on first use).
   * With `displayName` only (a `NewPerson`), a new person is added.
   */
  person(who: Person | NewPerson | CallerSpec): Person {
    if ("id" in who && typeof who.id === "string") return who as Person;
    if (!("email" in who) || typeof who.email !== "string") {
      return this.webex.addPerson(who as NewPerson);
    }
    const email = who.email.toLowerCase();
    const known = [...this.webex.peopleById.values()].find((p) => p.emails.includes(email));
    if (known !== undefined) return known;
    const { orgId, displayName, type } = who;
    return this.webex.addPerson({
      displayName: displayName ?? email.split("@")[0] ?? email,
      emails: [email],
      ...(orgId === undefined ? {} : { orgId }),
      ...(type === undefined ? {} : { type }),
    });
  }

  /** Sends `text` and yields each reply as soon as the command produces it. */
  async *stream(text: string, options: SendOptions = {}): AsyncGenerator<string, void, undefined> {
    const message = this.write(text, options);
    for await (const reply of this.#bot.run(this.#input(message, options))) {
      await this.webex.messages.create({ roomId: message.roomId, markdown: reply.markdown });
      yield reply.markdown;
    }
  }

  /**
   * Stores the message a Webex client would send for `text`: in a group room it starts with the
   * bot's mention (first name in `text`, a `<spark-mention>` in `html`).
   */
  write(text: string, options: SendOptions = {}): Message {
    const roomType = options.room?.type ?? options.roomType ?? this.#options.roomType ?? "direct";
    const room = options.room ?? (roomType === "group" ? this.groupRoom : this.directRoom);
    const mention = roomType === "group" && options.mention !== false;
    const name = this.self.firstName ?? this.self.displayName;
    const mentionHtml = `<spark-mention data-object-type="person" data-object-id="${this.self.id}">${escapeHtml(name)}</spark-mention>`;
    return this.webex.addMessage(
      options.from === undefined ? this.user : this.person(options.from),
      {
        roomId: room.id,
        text: mention ? `${name} ${text}` : text,
        html: `<p>${mention ? `${mentionHtml} ` : ""}${escapeHtml(text)}</p>`,
        ...(mention ? { mentionedPeople: [this.self.id] } : {}),
        ...(options.files === undefined ? {} : { files: options.files }),
        ...(options.parentId === undefined ? {} : { parentId: options.parentId }),
      },
    );
  }

  #input(message: Message, options: SendOptions): CommandInput {
    return {
      message,
      event: webhookEventFor(message),
      self: this.self,
      webex: this.webex,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(this.#options.logger === undefined ? {} : { logger: this.#options.logger }),
      ...(this.#options.access === undefined ? {} : { access: this.#options.access }),
    };
  }
}

/**
 * A chat with `bot` over an in-memory Webex: no Redis, no network.
 *
 * ```ts
 * const chat = createTestChat(bot);
 * expect(await chat.send("ping")).toEqual(["**pong**"]);
 * ```
 */
export function createTestChat(bot: SparkBot, options: TestChatOptions = {}): TestChat {
  return new TestChat(bot, options);
}

/** The `messages/created` webhook envelope Webex would post for `message`. */
export function webhookEventFor(message: Message): WebhookEvent {
  return {
    id: randomUUID(),
    name: "sparkbot",
    targetUrl: "http://localhost/sparkbot",
    resource: "messages",
    event: "created",
    created: message.created,
    actorId: message.personId,
    data: {
      id: message.id,
      roomId: message.roomId,
      ...(message.roomType === undefined ? {} : { roomType: message.roomType }),
      personId: message.personId,
      personEmail: message.personEmail,
      created: message.created,
      ...(message.mentionedPeople === undefined
        ? {}
        : { mentionedPeople: message.mentionedPeople }),
    },
  };
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
