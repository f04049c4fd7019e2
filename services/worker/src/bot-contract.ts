import type { AccessPolicy, BotInput, CommandOutcome, HandledEvents, Reply } from "@sparkbot/core";

/*
 * The part of core's `SparkBot` the worker uses, stated structurally so that any object with a
 * matching `run` works (core's SparkBot, or a test double injected through `startWorker`).
 */

/** How a command run ended, as core reports it. */
export type { CommandOutcome };

/** What a run takes: a message, a card action or a membership event (core's `BotInput`). */
export type CommandRunInput = BotInput;

/** The replies of one run, streamed as the handler yields them. */
export interface CommandRun extends AsyncIterable<Reply> {
  /** Canonical command name once dispatched. */
  readonly command: string | undefined;
  /** Set when the stream has ended. */
  readonly outcome: CommandOutcome | undefined;
}

/** A bot the worker can run: core's `SparkBot` satisfies it. */
export interface RunnableBot {
  run(input: CommandRunInput): CommandRun;
  /**
   * The names of an access policy's `commands` the bot has no command for. Core's `SparkBot`
   * has it; a bot without it cannot be given a deployment's access policy.
   */
  unknownAccessCommands?(policy: AccessPolicy): string[];
  /**
   * The membership events the bot handles (core's `SparkBot` has it), which the worker
   * publishes for the receiver's webhook registration. Absent: every event is registered.
   */
  readonly handledEvents?: HandledEvents;
}

/** True when `value` has a `run` method, the one thing the worker calls. */
export function isRunnableBot(value: unknown): value is RunnableBot {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { run?: unknown }).run === "function"
  );
}
