import { normalizePolicy, type NormalizedPolicy } from "../access/policy.js";
import { commandKeyNames, type AccessPolicy } from "../access/rules.js";
import type { HandledEvents } from "../jobs/handled-events.js";
import { ActionRegistry } from "./action-registry.js";
import { toInfo } from "./dispatch.js";
import type {
  ActionOptions,
  CardActionHandler,
  MembershipEventKind,
  MembershipHandler,
} from "./event-types.js";
import { MembershipHandlers } from "./membership-handlers.js";
import { BUILTIN_HELP_TEXT, createHelpHandler } from "./help.js";
import { validateMiddleware, type DefaultState, type Middleware } from "./middleware.js";
import { CommandRegistry, HELP_NAME, typeName } from "./registry.js";
import { CommandRunner } from "./run.js";
import { effectiveTexts, validateTexts, type ReplyTexts } from "./texts.js";
import type { BotInput, CommandHandler, CommandInfo, CommandOptions, CommandRun } from "./types.js";

/** Settings of `new SparkBot(...)`. */
export interface SparkBotOptions {
  /** The texts users see when the bot answers for itself (see `ReplyTexts`). */
  texts?: Partial<ReplyTexts>;
  /** Who may use the bot and its commands (see `AccessPolicy`); the deployment's rules add to it. */
  access?: AccessPolicy;
  /**
   * The key of a card's submitted inputs whose value names the action (default `action`): a
   * card whose Action.Submit has `data: { action: "vote" }` runs `bot.action("vote", …)`.
   */
  actionKey?: string;
}

/** The default `actionKey`. */
export const DEFAULT_ACTION_KEY = "action";

/**
 * A Webex bot that answers commands. Register commands and middleware before the worker starts;
 * `run` turns one message into a stream of replies, independent of HTTP and queues.
 *
 * ```ts
 * export const bot = new SparkBot();
 * bot.command("ping", { help: "Checks if the bot is running." }, () => "**pong**");
 * ```
 *
 * `S` is the type of `state`, which middleware fills for handlers.
 */
export class SparkBot<S extends object = DefaultState> {
  readonly #registry = new CommandRegistry<S>();
  readonly #actions = new ActionRegistry<S>();
  readonly #memberships = new MembershipHandlers<S>();
  readonly #middleware: Middleware<S>[] = [];
  readonly #policy: NormalizedPolicy;
  readonly #actionKey: string;
  #texts: Partial<ReplyTexts> = {};

  /**
   * @throws TypeError or CommandSetupError for malformed `texts` or `access`, naming the field.
   */
  constructor(options: SparkBotOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`SparkBot options must be an object, got ${typeName(options)}.`);
    }
    if (options.texts !== undefined) this.#texts = validateTexts(options.texts);
    this.#policy = normalizePolicy(options.access ?? {}, "The access option of new SparkBot()");
    const { actionKey = DEFAULT_ACTION_KEY } = options;
    if (typeof actionKey !== "string" || actionKey === "") {
      throw new TypeError(`The actionKey option must be a name, got ${typeName(actionKey)}.`);
    }
    this.#actionKey = actionKey;
    this.#registry.addBuiltinHelp(BUILTIN_HELP_TEXT, createHelpHandler(this.#registry));
  }

  /**
   * Adds a command. `names` is one name or a list of aliases (matched case-insensitively).
   * Options carry `help` (markdown, dedented like a docstring), `fallback`, `allow` (who may
   * run it) and `use` (its own middleware).
   *
   * @throws CommandSetupError no names and no fallback, a second fallback, a name used twice.
   * @throws TypeError arguments of the wrong type.
   */
  command(names: string | readonly string[], handler: CommandHandler<S>): this;
  command(
    names: string | readonly string[],
    options: CommandOptions<S>,
    handler: CommandHandler<S>,
  ): this;
  command(options: CommandOptions<S> & { fallback: true }, handler: CommandHandler<S>): this;
  command(...args: unknown[]): this {
    const { names, options, handler } = parseCommandArguments<S>(args);
    this.#registry.add(names, options, handler);
    return this;
  }

  /** Adds the fallback command, which receives every unknown command with its full command line. */
  fallback(handler: CommandHandler<S>, options: Omit<CommandOptions<S>, "fallback"> = {}): this {
    this.#registry.add([], { ...options, fallback: true }, handler);
    return this;
  }

  /**
   * Adds the handler of a card action: it runs when a card of the bot is submitted with
   * `data: { action: name }` in the pressed Action.Submit (the key is the bot's `actionKey`).
   * `names` is one name or several (matched exactly). Options carry `allow` and `use`.
   *
   * @throws CommandSetupError a name used twice or empty. @throws TypeError wrong arguments.
   */
  action(names: string | readonly string[], handler: CardActionHandler<S>): this;
  action(
    names: string | readonly string[],
    options: ActionOptions<S>,
    handler: CardActionHandler<S>,
  ): this;
  action(...args: unknown[]): this {
    if (args.length < 2 || args.length > 3) {
      throw new TypeError(
        `bot.action takes (names, handler) or (names, options, handler); got ${args.length} arguments.`,
      );
    }
    const handler = args[args.length - 1] as CardActionHandler<S>;
    const options = (args.length === 3 ? args[1] : {}) as ActionOptions<S>;
    this.#actions.add(parseNames(args[0]), options, handler);
    return this;
  }

  /** Adds the handler of every card action no `bot.action` takes (without it: `unknownAction`). */
  actionFallback(handler: CardActionHandler<S>, options: ActionOptions<S> = {}): this {
    this.#actions.add([], options, handler, true);
    return this;
  }

  /**
   * Adds the handler of a membership event: `botAdded` (the greeting: `actorId` is who added
   * the bot), `botRemoved` (clean-up; no reply possible), `personJoined`, `personLeft`. One per
   * event; the receiver subscribes to the membership webhooks only for the events handled.
   */
  on(
    kind: MembershipEventKind,
    handler: MembershipHandler<S>,
    options: { use?: Middleware<S> | readonly Middleware<S>[] } = {},
  ): this {
    this.#memberships.add(kind, handler, options.use === undefined ? [] : [options.use].flat());
    return this;
  }

  /** The key of the submitted inputs that names a card action. */
  get actionKey(): string {
    return this.#actionKey;
  }

  /** The names of the card actions, each once (the fallback not included). */
  get actions(): string[] {
    return this.#actions.names();
  }

  /** True when an action fallback is registered. */
  get hasActionFallback(): boolean {
    return this.#actions.fallback !== undefined;
  }

  /** What the bot handles beyond messages and card actions: the worker publishes it. */
  get handledEvents(): HandledEvents {
    return { memberships: this.#memberships.kinds() };
  }

  /**
   * Adds middleware run around every message, in the order added, after the built-in access
   * control and before each command's own middleware. See `Middleware`.
   */
  use(...middleware: Middleware<S>[]): this {
    middleware.forEach((item, index) => validateMiddleware(item, `bot.use argument ${index + 1}`));
    this.#middleware.push(...middleware);
    return this;
  }

  /** Sets some of the texts users see (the others keep their current value). */
  setTexts(texts: Partial<ReplyTexts>): this {
    this.#texts = { ...this.#texts, ...validateTexts(texts) };
    return this;
  }

  /** The texts in effect (defaults and the author's). */
  get texts(): ReplyTexts {
    return effectiveTexts(this.#texts, this.#registry.find(HELP_NAME) !== undefined);
  }

  /** Removes the help command, built-in or overridden. */
  removeHelp(): this {
    this.#registry.removeHelp();
    return this;
  }

  /** The named commands, in the order `help` lists them (the fallback is not included). */
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

  /**
   * The command names of `policy.commands` this bot does not have (a deployment's typo would
   * otherwise leave the command it meant unprotected). Also checks the policy's shape.
   *
   * @throws CommandSetupError for a malformed policy.
   */
  unknownAccessCommands(policy: AccessPolicy): string[] {
    normalizePolicy(policy, "The access policy");
    const names = Object.keys(policy.commands ?? {}).flatMap(commandKeyNames);
    return names.filter((name) => this.#registry.find(name) === undefined);
  }

  /**
   * Answers one message, card action (`type: "cardAction"`) or membership event
   * (`type: "membership"`): iterate the result to get each reply as soon as it is produced.
   */
  run(input: BotInput): CommandRun {
    return new CommandRunner<S>(
      {
        registry: this.#registry,
        actions: this.#actions,
        memberships: this.#memberships,
        actionKey: this.#actionKey,
        middleware: [...this.#middleware],
        texts: this.texts,
        policy: this.#policy,
      },
      input,
    );
  }
}

interface CommandArguments<S extends object> {
  names: string[];
  options: CommandOptions<S>;
  handler: CommandHandler<S>;
}

/** Sorts out `(names, handler)`, `(names, options, handler)` and `(options, handler)`. */
function parseCommandArguments<S extends object>(args: unknown[]): CommandArguments<S> {
  if (args.length < 2 || args.length > 3) {
    throw new TypeError(
      `bot.command takes (names, handler), (names, options, handler) or ({ fallback: true }, handler); got ${args.length} arguments.`,
    );
  }
  const handler = args[args.length - 1] as CommandHandler<S>;
  const [first, second] = args;
  if (args.length === 3) {
    return { names: parseNames(first), options: second as CommandOptions<S>, handler };
  }
  if (typeof first === "object" && first !== null && !Array.isArray(first)) {
    return { names: [], options: first as CommandOptions<S>, handler };
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
