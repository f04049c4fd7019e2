import { CommandError, CommandLineError, CommandTimeoutError } from "../errors/errors.js";
import { silentLogger, type Logger } from "../logging/logger.js";
import { tokenize } from "../commandline/tokenize.js";
import { createContext } from "./context.js";
import { stripMention } from "./mention.js";
import { REPLY_TEXT } from "./replies.js";
import { splitReply } from "./split-reply.js";
import { driveHandler, isAbortStop, type AbortStop } from "./drive.js";
import type { CommandRegistry, RegisteredCommand } from "./registry.js";
import type { CommandInput, CommandOutcome, CommandRun, Reply } from "./types.js";

/** Pseudo command names reported by `CommandRun.command` when no named command ran. */
export const PSEUDO_COMMANDS = {
  fallback: "(fallback)",
  unknown: "(unknown)",
  empty: "(empty)",
  self: "(self)",
  badCommandLine: "(bad-command-line)",
} as const;

const NEVER_ABORTED = new AbortController().signal;

/** One message turned into a stream of replies. See `CommandRun`. */
export class CommandRunner implements CommandRun {
  #command: string | undefined;
  #outcome: CommandOutcome | undefined;
  #started = false;
  readonly #registry: CommandRegistry;
  readonly #input: CommandInput;
  readonly #signal: AbortSignal;
  readonly #logger: Logger;

  constructor(registry: CommandRegistry, input: CommandInput) {
    this.#registry = registry;
    this.#input = input;
    this.#signal = input.signal ?? NEVER_ABORTED;
    this.#logger = input.logger ?? silentLogger;
  }

  get command(): string | undefined {
    return this.#command;
  }

  get outcome(): CommandOutcome | undefined {
    return this.#outcome;
  }

  [Symbol.asyncIterator](): AsyncIterator<Reply> {
    if (this.#started) throw new Error("A CommandRun can be iterated only once.");
    this.#started = true;
    return this.#replies();
  }

  async *#replies(): AsyncGenerator<Reply, void, undefined> {
    for await (const markdown of this.#markdownReplies()) {
      for (const chunk of splitReply(markdown)) yield { markdown: chunk };
    }
  }

  async *#markdownReplies(): AsyncGenerator<string, void, undefined> {
    const { message, self } = this.#input;
    if (message.personId === self.id) {
      yield* this.#answer(PSEUDO_COMMANDS.self, "empty", []);
      return;
    }
    let commandline: string[];
    try {
      commandline = tokenize(stripMention(message, self));
    } catch (error) {
      if (!(error instanceof CommandLineError)) throw error;
      yield* this.#answer(PSEUDO_COMMANDS.badCommandLine, "bad_command_line", [
        REPLY_TEXT.badCommandLine(error.reason),
      ]);
      return;
    }
    const [name] = commandline;
    if (name === undefined) {
      const hint = this.#hasHelp() ? REPLY_TEXT.empty : REPLY_TEXT.emptyNoHelp;
      yield* this.#answer(PSEUDO_COMMANDS.empty, "empty", [hint]);
      return;
    }
    const named = this.#registry.find(name);
    const command = named ?? this.#registry.fallback;
    if (command === undefined) {
      const error = this.#hasHelp() ? REPLY_TEXT.notFound : REPLY_TEXT.notFoundNoHelp;
      yield* this.#answer(PSEUDO_COMMANDS.unknown, "not_found", [error]);
      return;
    }
    this.#command = named === undefined ? PSEUDO_COMMANDS.fallback : canonicalName(command);
    yield* this.#runHandler(command, commandline);
  }

  async *#runHandler(
    command: RegisteredCommand,
    commandline: string[],
  ): AsyncGenerator<string, void, undefined> {
    const logger = this.#logger.child({ command: this.#command });
    const context = createContext(this.#input, commandline, this.#signal, logger);
    try {
      yield* driveHandler(() => command.handler(context), this.#signal);
      this.#outcome = "ok";
    } catch (error) {
      if (isAbortStop(error)) {
        yield* this.#stopped(error, logger);
        return;
      }
      if (hasCode(error, CommandError, "COMMAND")) {
        yield REPLY_TEXT.userError(error.message);
        this.#outcome = "user_error";
      } else {
        logger.error("command failed", { err: describeError(error) });
        yield REPLY_TEXT.internalError;
        this.#outcome = "error";
      }
    }
  }

  async *#stopped(stop: AbortStop, logger: Logger): AsyncGenerator<string, void, undefined> {
    if (hasCode(stop.reason, CommandTimeoutError, "COMMAND_TIMEOUT")) {
      logger.warn("command timed out", { timeoutMs: stop.reason.timeoutMs });
      yield REPLY_TEXT.timeout;
      this.#outcome = "timeout";
      return;
    }
    throw stop.reason;
  }

  /** Names the run, yields fixed replies, then records the outcome. */
  async *#answer(
    command: string,
    outcome: CommandOutcome,
    replies: string[],
  ): AsyncGenerator<string, void, undefined> {
    this.#command = command;
    yield* replies;
    this.#outcome = outcome;
  }

  #hasHelp(): boolean {
    return this.#registry.find("help") !== undefined;
  }
}

/**
 * `instanceof`, or the same error `code`: a bot module may load another copy of core than the
 * worker, and its errors must still be recognised.
 */
function hasCode<T extends Error>(
  value: unknown,
  type: abstract new (...args: never[]) => T,
  code: string,
): value is T {
  if (value instanceof type) return true;
  return value instanceof Error && (value as { code?: unknown }).code === code;
}

function canonicalName(command: RegisteredCommand): string {
  return command.names[0] ?? PSEUDO_COMMANDS.fallback;
}

/** Error fields for logs: name, code, message and stack, never the user's text. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, code, stack: error.stack };
}
