import type { Logger } from "../logging/logger.js";
import type { WebexClient } from "../webex/client.js";
import type { Message, Person } from "../webex/types.js";
import type { WebhookEvent } from "../webex/webhook-event.js";
import type { AccessDenial, AccessPolicy, AccessRule } from "../access/rules.js";
import type { CardActionInput, HandlerResult, MembershipInput } from "./event-types.js";
import type { DefaultState, Middleware } from "./middleware.js";
import type { Reply, ReplyValue } from "./replies.js";

export type { Reply };

/** What a command handler is given: one object, every field typed. */
export interface CommandContext<S extends object = DefaultState> {
  /** The user's message split like `shlex.split`, the command name (as typed) first. */
  readonly commandline: readonly string[];
  /** The webhook envelope that announced the message. */
  readonly event: WebhookEvent;
  /**
   * The Person who wrote the message. Fetched from Webex (`webex.people.get`) the first time it is
   * read, then cached: a handler that never reads it costs no API call.
   */
  readonly caller: Promise<Person>;
  /** The room the message was written in; replies go there. */
  readonly roomId: string;
  /** The message itself: `text`, `markdown`, `html`, `files`, `parentId`, ... */
  readonly message: Message;
  /** The bot's own identity. */
  readonly self: Person;
  /** The Webex client, for further calls. */
  readonly webex: WebexClient;
  /**
   * Fires when the command must stop: its reason is a `CommandTimeoutError` on timeout, or
   * another reason on shutdown. Pass it to anything that accepts a signal.
   */
  readonly signal: AbortSignal;
  /** A logger bound to this command run. */
  readonly logger: Logger;
  /** What middleware put there for this message (`ctx.state`); empty without middleware. */
  readonly state: S;
  /** True when the caller passes the access rules of the command named `name` (any alias). */
  isAllowed(name: string): Promise<boolean>;
}

/** A value a handler may produce: markdown, a reply message (a card, a file…), or nothing. */
export type CommandReplyValue = ReplyValue;

/**
 * A command handler. It returns a reply, nothing, a Promise of either, or is a (sync or async)
 * generator whose every non-empty yielded value is sent as a separate reply, in order, as soon
 * as it is yielded. A generator's non-empty return value is sent last. A reply is markdown (a
 * string) or a `ReplyMessage` (a card, a file, the thread or the room).
 */
export type CommandHandler<S extends object = DefaultState> = (
  context: CommandContext<S>,
) => HandlerResult;

/** Options of `bot.command(...)`. */
export interface CommandOptions<S extends object = DefaultState> {
  /** Markdown shown by `help <command>`; indentation is removed like a Python docstring. */
  help?: string;
  /** Makes this the fallback command, which receives every unknown command. Takes no names. */
  fallback?: boolean;
  /** Who may run this command, and where (on top of the bot's own rules). */
  allow?: AccessRule;
  /** Middleware run for this command only, after the bot's (`bot.use`), in order. */
  use?: Middleware<S> | readonly Middleware<S>[];
}

/** One command as registered. */
export interface CommandInfo {
  /** Names as registered, the first being the canonical one. */
  readonly names: readonly string[];
  /** The help text, already dedented; undefined when there is none. */
  readonly help: string | undefined;
  readonly fallback: boolean;
  readonly builtin: boolean;
}

/** Everything `SparkBot.run` needs to answer one message. */
export interface CommandInput {
  /** `message` (the default): a message to answer. */
  type?: "message";
  /** The fetched message (the webhook carries no text). */
  message: Message;
  /** The webhook envelope. */
  event: WebhookEvent;
  /** The bot's own identity: `id`, `displayName` (used to strip its mention). */
  self: Person;
  webex: WebexClient;
  /** Aborted with `CommandTimeoutError` on timeout, with other reasons on shutdown. */
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Access rules of the deployment (the worker reads them from `ACCESS_*` variables), applied
   * together with the bot's own: every rule of both must pass.
   */
  access?: AccessPolicy;
  /** Called once for a refused message (the worker counts them in a metric). */
  onAccessDenied?: (denial: AccessDenial) => void;
}

/** What `SparkBot.run` takes: a message, a card submission, or a membership event. */
export type BotInput = CommandInput | CardActionInput | MembershipInput;

/**
 * How a run ended. `denied`: access control refused it (no handler ran); `ignored`: a message
 * (or card action) of the bot itself or of another bot, not answered; `intercepted`: a middleware
 * answered (or not) without calling `next()`; `unknown_action`: a card action no handler takes
 * (answered with `unknownAction`); `unhandled`: a membership event the bot has no handler for.
 */
export type CommandOutcome =
  | "ok"
  | "user_error"
  | "error"
  | "not_found"
  | "bad_command_line"
  | "empty"
  | "timeout"
  | "denied"
  | "ignored"
  | "intercepted"
  | "unknown_action"
  | "unhandled";

/**
 * The replies of one run, yielded as soon as the handler produces them. Iterate it once.
 * On abort with a reason other than `CommandTimeoutError`, iteration throws that reason.
 */
export interface CommandRun extends AsyncIterable<Reply> {
  /**
   * The name the run is reported under once dispatched: a command's first registered name, or
   * `(fallback)`, `(unknown)`, `(empty)`, `(self)`, `(bad-command-line)`; a card action's name,
   * or `(action-fallback)`, `(unknown-action)`; a membership event's kind (`botAdded`…).
   */
  readonly command: string | undefined;
  /** Set once iteration has finished. */
  readonly outcome: CommandOutcome | undefined;
  /** Why access control refused the message, when it did. */
  readonly denial?: AccessDenial | undefined;
  /** What a handler or middleware threw, when the outcome is `error` (it is logged too). */
  readonly error?: unknown;
}
