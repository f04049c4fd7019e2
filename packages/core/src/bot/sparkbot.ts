import { createHelpHandler, BUILTIN_HELP_TEXT } from "./help.js";
import { CommandRegistry, HELP_NAMES, typeName } from "./registry.js";
import { CommandRunner } from "./run.js";
import type {
  CommandHandler,
  CommandInfo,
  CommandInput,
  CommandOptions,
  CommandRun,
} from "./types.js";

/**
 * A Webex bot that answers commands. Register commands before the worker starts; `run` turns
 * one message into a stream of replies, independent of HTTP and queues.
 *
 * ```ts
 * export const bot = new SparkBot();
 * bot.command("ping", { help: "Checks if the bot is running." }, () => "**pong**");
 * ```
 */
export class SparkBot {
  readonly #registry = new CommandRegistry();

  constructor() {
    this.#registry.addBuiltin({
      names: [...HELP_NAMES],
      help: BUILTIN_HELP_TEXT,
      handler: createHelpHandler(this.#registry),
    });
  }

  /**
   * Adds a command. `names` is one name or a list of aliases (matched case-insensitively).
   * Options carry `help` (markdown, dedented like a docstring) and `fallback`.
   *
   * @throws CommandSetupError no names and no fallback, a second fallback, a name used twice.
   * @throws TypeError arguments of the wrong type.
   */
  command(names: string | readonly string[], handler: CommandHandler): this;
  command(
    names: string | readonly string[],
    options: CommandOptions,
    handler: CommandHandler,
  ): this;
  command(options: CommandOptions & { fallback: true }, handler: CommandHandler): this;
  command(...args: unknown[]): this {
    const { names, options, handler } = parseCommandArguments(args);
    this.#registry.add(names, options, handler);
    return this;
  }

  /** Adds the fallback command, which receives every unknown command with its full command line. */
  fallback(handler: CommandHandler, options: Omit<CommandOptions, "fallback"> = {}): this {
    this.#registry.add([], { ...options, fallback: true }, handler);
    return this;
  }

  /** Removes the help command, built-in or overridden. */
  removeHelp(): this {
    this.#registry.removeHelp();
    return this;
  }

  /** The named commands, sorted (the fallback is not included). */
  get commands(): CommandInfo[] {
    return this.#registry.list().map(toInfo);
  }

  /** The command answering to `name` (any alias, any case), the fallback excluded. */
  findCommand(name: string): CommandInfo | undefined {
    const command = this.#registry.find(name);
    return command === undefined ? undefined : toInfo(command);
  }

  /** True when a fallback command is registered. */
  get hasFallback(): boolean {
    return this.#registry.fallback !== undefined;
  }

  /** Answers one message: iterate the result to get each reply as soon as it is produced. */
  run(input: CommandInput): CommandRun {
    return new CommandRunner(this.#registry, input);
  }
}

function toInfo(command: CommandInfo): CommandInfo {
  return {
    names: [...command.names],
    help: command.help,
    fallback: command.fallback,
    builtin: command.builtin,
  };
}

interface CommandArguments {
  names: string[];
  options: CommandOptions;
  handler: CommandHandler;
}

/** Sorts out `(names, handler)`, `(names, options, handler)` and `(options, handler)`. */
function parseCommandArguments(args: unknown[]): CommandArguments {
  if (args.length < 2 || args.length > 3) {
    throw new TypeError(
      `bot.command takes (names, handler), (names, options, handler) or ({ fallback: true }, handler); got ${args.length} arguments.`,
    );
  }
  const handler = args[args.length - 1] as CommandHandler;
  const [first, second] = args;
  if (args.length === 3) {
    return { names: parseNames(first), options: second as CommandOptions, handler };
  }
  if (typeof first === "object" && first !== null && !Array.isArray(first)) {
    return { names: [], options: first as CommandOptions, handler };
  }
  return { names: parseNames(first), options: {}, handler };
}

function parseNames(names: unknown): string[] {
  if (typeof names === "string") return [names];
  if (Array.isArray(names)) {
    for (const name of names) {
      if (typeof name !== "string") {
        throw new TypeError(`Command names must be strings, got ${typeName(name)} in the list.`);
      }
    }
    return [...(names as string[])];
  }
  throw new TypeError(
    `A command name must be a string or a list of strings, got ${typeName(names)}.`,
  );
}
