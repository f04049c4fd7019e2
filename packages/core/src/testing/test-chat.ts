import { cardOf } from "../bot/card-action-plan.js";
import type { RunEnvironment } from "../bot/event-types.js";
import type { SparkBot } from "../bot/sparkbot.js";
import type { BotInput, CommandRun } from "../bot/types.js";
import { CommandSetupError } from "../errors/errors.js";
import type { Message, Person, Room } from "../webex/types.js";
import { submittedInputs } from "./card-submission.js";
import type {
  CallerSpec,
  MembershipEventOptions,
  SendOptions,
  SubmitOptions,
  TestChatOptions,
  TestChatResult,
} from "./chat-types.js";
import { InMemoryWebex, type NewPerson } from "./in-memory-webex.js";
import { actionEventFor, membershipEventFor, webhookEventFor } from "./webhook-events.js";

export { webhookEventFor };
export type {
  CallerSpec,
  MembershipEventOptions,
  SendOptions,
  SubmitOptions,
  TestChatOptions,
  TestChatResult,
};

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
    return this.#collect(
      { message, event: webhookEventFor(message), ...this.#environment(options.signal) },
      message.roomId,
    );
  }

  /**
   * Submits `card` (a message the bot sent: take it from `result.sent`) as a Webex client does
   * when a button is pressed (see `SubmitOptions`), and runs the bot's card action handler.
   */
  async submitCard(card: Message, options: SubmitOptions = {}): Promise<TestChatResult> {
    const content = cardOf(card);
    if (content === undefined) throw new Error("This message has no Adaptive Card to submit.");
    const person = this.person(options.from ?? this.user);
    const inputs = submittedInputs(content, options.inputs ?? {}, options.button);
    const action = this.webex.addAttachmentAction(person, card, inputs);
    return this.#collect(
      {
        type: "cardAction",
        action,
        message: card,
        event: actionEventFor(action),
        ...this.#environment(options.signal),
      },
      card.roomId,
    );
  }

  /** The bot is added to a room (default: a new group room of the user): the greeting case. */
  async botAdded(options: MembershipEventOptions = {}): Promise<TestChatResult & { room: Room }> {
    const by = this.person(options.by ?? this.user);
    const room =
      options.room ??
      this.webex.addRoom({ type: "group", title: "New room", members: [by], withBot: false });
    const membership = this.webex.addMembership(room, this.self);
    return { ...(await this.#membership(membership, "created", by, options)), room };
  }

  /** The bot is removed from a group room (default: the chat's group room). */
  botRemoved(options: MembershipEventOptions = {}): Promise<TestChatResult> {
    const room = options.room ?? this.groupRoom;
    const membership = this.webex.removeMembership(room, this.self);
    return this.#membership(membership, "deleted", this.person(options.by ?? this.user), options);
  }

  /** `who` joins a room of the bot (default: the chat's group room). */
  personJoined(
    who: Person | CallerSpec,
    options: MembershipEventOptions = {},
  ): Promise<TestChatResult> {
    const membership = this.webex.addMembership(options.room ?? this.groupRoom, this.person(who));
    return this.#membership(membership, "created", this.person(options.by ?? this.user), options);
  }

  /** `who` leaves a group room of the bot (by default they leave on their own). */
  personLeft(
    who: Person | CallerSpec,
    options: MembershipEventOptions = {},
  ): Promise<TestChatResult> {
    const person = this.person(who);
    const membership = this.webex.removeMembership(options.room ?? this.groupRoom, person);
    return this.#membership(membership, "deleted", this.person(options.by ?? person), options);
  }

  #membership(
    membership: ReturnType<InMemoryWebex["addMembership"]>,
    event: "created" | "deleted",
    by: Person,
    options: MembershipEventOptions,
  ): Promise<TestChatResult> {
    return this.#collect(
      {
        type: "membership",
        membership,
        event: membershipEventFor(membership, event, by.id),
        ...this.#environment(options.signal),
      },
      membership.roomId,
    );
  }

  /** Runs the bot on `input`, stores each reply as the bot's message, and reports. */
  async #collect(input: BotInput, roomId: string): Promise<TestChatResult> {
    const run = this.#bot.run(input);
    const sent: Message[] = [];
    for await (const reply of run)
      sent.push(await this.webex.messages.create({ roomId, ...reply }));
    return resultOf(run, sent);
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

  /** Sends `text` and yields each reply (its markdown or text) as soon as the command produces it. */
  async *stream(text: string, options: SendOptions = {}): AsyncGenerator<string, void, undefined> {
    const message = this.write(text, options);
    const input = {
      message,
      event: webhookEventFor(message),
      ...this.#environment(options.signal),
    };
    for await (const reply of this.#bot.run(input)) {
      await this.webex.messages.create({ roomId: message.roomId, ...reply });
      yield reply.markdown ?? reply.text ?? "";
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

  #environment(signal: AbortSignal | undefined): RunEnvironment {
    return {
      self: this.self,
      webex: this.webex,
      ...(signal === undefined ? {} : { signal }),
      ...(this.#options.logger === undefined ? {} : { logger: this.#options.logger }),
      ...(this.#options.access === undefined ? {} : { access: this.#options.access }),
    };
  }
}

function resultOf(run: CommandRun, sent: Message[]): TestChatResult {
  const result: TestChatResult = {
    replies: sent.map((message) => message.markdown ?? message.text ?? ""),
    sent,
    cards: sent.flatMap((message) => cardOf(message) ?? []),
    command: run.command,
    outcome: run.outcome,
  };
  if (run.denial !== undefined) result.denial = run.denial;
  if (run.error !== undefined) result.error = run.error;
  return result;
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

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
