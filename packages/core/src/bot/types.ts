import type { Logger } from "../logging/logger.js";
import type { WebexClient } from "../webex/client.js";
import type { Message, Person } from "../webex/types.js";
import type { WebhookEvent } from "../webex/webhook-event.js";

/** What a command handler is given: one object, every field typed. */
export interface CommandContext {
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
}

/** A value a handler may produce: a reply, or nothing (skipped). */
export type CommandReplyValue = string | undefined | null | void;

/**
 * A command handler. It returns a reply, nothing, a Promise of either, or is a (sync or async)
 * generator whose every non-empty yielded string is sent as a separate reply, in order, as soon
 * as it is yielded. A generator's non-empty return value is sent last.
 */
export type CommandHandler = (
  context: CommandContext,
) =>
  | CommandReplyValue
  | Promise<CommandReplyValue>
  | Iterable<CommandReplyValue, CommandReplyValue>
  | AsyncIterable<CommandReplyValue, CommandReplyValue>;

/** Options of `bot.command(...)`. */
export interface CommandOptions {
  /** Markdown shown by `help <command>`; indentation is removed like a Python docstring. */
  help?: string;
  /** Makes this the fallback command, which receives every unknown command. Takes no names. */
  fallback?: boolean;
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
}

/** One message to send, already within Webex's 7439-byte limit. */
export interface Reply {
  markdown: string;
}

/** How a command run ended. */
export type CommandOutcome =
  "ok" | "user_error" | "error" | "not_found" | "bad_command_line" | "empty" | "timeout";

/**
 * The replies of one message, yielded as soon as the handler produces them. Iterate it once.
 * On abort with a reason other than `CommandTimeoutError`, iteration throws that reason.
 */
export interface CommandRun extends AsyncIterable<Reply> {
  /**
   * The canonical name of the command once dispatched: its first registered name, or
   * `(fallback)`, `(unknown)`, `(empty)`, `(self)`, `(bad-command-line)`.
   */
  readonly command: string | undefined;
  /** Set once iteration has finished. */
  readonly outcome: CommandOutcome | undefined;
}
