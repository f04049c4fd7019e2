import type { Logger, Message, Person, WebexClient, WebhookEvent } from "@sparkbot/core";

/*
 * The part of core's `SparkBot` the worker uses, stated structurally so that any object with a
 * matching `run` works (core's SparkBot, or a test double injected through `startWorker`).
 */

/** How a command run ended, as core reports it. */
export type CommandOutcome =
  "ok" | "user_error" | "error" | "not_found" | "bad_command_line" | "empty" | "timeout";

/** One message to a command run. */
export interface CommandRunInput {
  message: Message;
  event: WebhookEvent;
  /** The bot's own identity (`people/me`). */
  self: Person;
  webex: WebexClient;
  /** Aborted with `CommandTimeoutError` on timeout, with another reason on shutdown. */
  signal?: AbortSignal;
  logger?: Logger;
}

/** The replies of one run, streamed as the handler yields them. */
export interface CommandRun extends AsyncIterable<{ markdown: string }> {
  /** Canonical command name once dispatched. */
  readonly command: string | undefined;
  /** Set when the stream has ended. */
  readonly outcome: CommandOutcome | undefined;
}

/** A bot the worker can run: core's `SparkBot` satisfies it. */
export interface RunnableBot {
  run(input: CommandRunInput): CommandRun;
}

/** True when `value` has a `run` method, the one thing the worker calls. */
export function isRunnableBot(value: unknown): value is RunnableBot {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { run?: unknown }).run === "function"
  );
}
