import { normalizeRule, type NormalizedRule } from "../access/rules.js";
import { CommandSetupError } from "../errors/errors.js";
import { dedent } from "./dedent.js";
import { validateMiddleware, type DefaultState, type Middleware } from "./middleware.js";
import type { CommandHandler, CommandInfo, CommandOptions } from "./types.js";

/** A command as the registry keeps it. */
export interface RegisteredCommand<S extends object = DefaultState> extends CommandInfo {
  readonly handler: CommandHandler<S>;
  /** The command's own middleware (`use`), run after the bot's. */
  readonly middleware: readonly Middleware<S>[];
  /** The command's own access rule (`allow`). */
  readonly allow: NormalizedRule | undefined;
}

/** The name of the built-in help command, the only one `help` lists. */
export const HELP_NAME = "help";
/** The built-in help's unlisted alias (the original documented it; it keeps working). */
export const HELP_ALL_ALIAS = "help-all";

/**
 * The commands of one bot: names (matched case-insensitively), aliases, the fallback and the
 * built-in help. Registration errors say what to fix.
 */
export class CommandRegistry<S extends object = DefaultState> {
  readonly #byName = new Map<string, RegisteredCommand<S>>();
  #fallback: RegisteredCommand<S> | undefined;

  /** Adds a command; throws `CommandSetupError` or `TypeError` on wrong arguments. */
  add(names: readonly string[], options: CommandOptions<S>, handler: CommandHandler<S>): void {
    validateOptions(options);
    if (typeof handler !== "function") {
      throw new TypeError(
        `The handler of command ${describeNames(names)} must be a function, got ${typeName(handler)}.`,
      );
    }
    const where = `The ${describeNames(names)} command's`;
    const use = options.use === undefined ? [] : [options.use].flat();
    use.forEach((middleware) => validateMiddleware(middleware, `${where} use option`));
    const command: RegisteredCommand<S> = {
      names: [...names],
      help: options.help === undefined ? undefined : dedent(options.help),
      fallback: options.fallback === true,
      builtin: false,
      handler,
      middleware: use,
      allow:
        options.allow === undefined
          ? undefined
          : normalizeRule(options.allow, `${where} allow option`),
    };
    if (command.fallback) this.#addFallback(command);
    else this.#addNamed(command);
  }

  /** Registers the built-in help (used once, by the bot's constructor), with its hidden alias. */
  addBuiltinHelp(help: string, handler: CommandHandler<S>): void {
    const builtin: RegisteredCommand<S> = {
      names: [HELP_NAME],
      help,
      handler,
      builtin: true,
      fallback: false,
      middleware: [],
      allow: undefined,
    };
    this.#byName.set(HELP_NAME, builtin);
    this.#byName.set(HELP_ALL_ALIAS, builtin);
  }

  /** Removes whatever command answers to `help`, and the built-in `help-all`. */
  removeHelp(): void {
    const help = this.#byName.get(HELP_NAME);
    if (help !== undefined) this.#removeCommand(help);
    const helpAll = this.#byName.get(HELP_ALL_ALIAS);
    if (helpAll?.builtin === true) this.#removeCommand(helpAll);
  }

  /** The command answering to `name` (any case), not counting the fallback. */
  find(name: string): RegisteredCommand<S> | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  get fallback(): RegisteredCommand<S> | undefined {
    return this.#fallback;
  }

  /**
   * Every named command once, in the order the original's help lists them: each command's names
   * sorted, joined with ", ", and those lines sorted (by code point, as Python sorts strings).
   */
  list(): RegisteredCommand<S>[] {
    const unique = [...new Set(this.#byName.values())];
    const keyed = unique.map((command) => ({ command, key: sortedNames(command).join(", ") }));
    return keyed.sort((a, b) => compareCodePoints(a.key, b.key)).map(({ command }) => command);
  }

  #addFallback(command: RegisteredCommand<S>): void {
    if (command.names.length > 0) {
      throw new CommandSetupError(
        `A fallback command takes no names, got ${describeNames(command.names)}: ` +
          "register it with bot.fallback(handler) or bot.command({ fallback: true }, handler).",
      );
    }
    if (this.#fallback !== undefined) {
      throw new CommandSetupError(
        "A fallback command is already registered; a bot has at most one fallback.",
      );
    }
    this.#fallback = command;
  }

  #addNamed(command: RegisteredCommand<S>): void {
    if (command.names.length === 0) {
      throw new CommandSetupError(
        'A command needs at least one name, e.g. bot.command("ping", handler), or ' +
          "{ fallback: true } to receive unknown commands.",
      );
    }
    const seen = new Set<string>();
    for (const name of command.names) {
      validateName(name);
      const key = name.toLowerCase();
      const existing = this.#byName.get(key);
      if (seen.has(key) || (existing !== undefined && !existing.builtin)) {
        throw new CommandSetupError(
          `The command name "${name}" is used twice (names ignore case); choose another name.`,
        );
      }
      seen.add(key);
    }
    // Registering "help" replaces the whole built-in help; other built-in names are taken singly.
    if (seen.has(HELP_NAME) && this.#byName.get(HELP_NAME)?.builtin === true) this.removeHelp();
    for (const key of seen) this.#byName.set(key, command);
  }

  #removeCommand(command: RegisteredCommand<S>): void {
    for (const [key, value] of this.#byName) {
      if (value === command) this.#byName.delete(key);
    }
  }
}

/** Names of a command sorted for display, as Python's `sorted` sorts them (by code point). */
export function sortedNames(command: CommandInfo): string[] {
  return [...command.names].sort(compareCodePoints);
}

/** Compares strings by Unicode code point, as Python compares `str` (not by UTF-16 unit). */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done === true || y.done === true)
      return (x.done === true ? 0 : 1) - (y.done === true ? 0 : 1);
    const diff = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
}

function validateName(name: unknown): asserts name is string {
  if (typeof name !== "string") {
    throw new TypeError(`Command names must be strings, got ${typeName(name)}.`);
  }
  if (name.trim() === "") {
    throw new CommandSetupError("A command name cannot be empty or blank.");
  }
  if (/\s/.test(name)) {
    throw new CommandSetupError(
      `The command name "${name}" contains whitespace, so users could only call it in quotes; ` +
        "use a name without spaces, e.g. with dashes.",
    );
  }
}

const OPTION_KEYS: readonly string[] = ["help", "fallback", "allow", "use"];

function validateOptions(options: unknown): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`Command options must be an object, got ${typeName(options)}.`);
  }
  const { help, fallback, allow, use } = options as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new TypeError(
        `Unknown command option "${key}"; the options are ${OPTION_KEYS.join(", ")}.`,
      );
    }
  }
  if (allow !== undefined && (typeof allow !== "object" || allow === null)) {
    throw new TypeError(
      `The "allow" option must be an access rule object, got ${typeName(allow)}.`,
    );
  }
  if (use !== undefined && typeof use !== "function" && !Array.isArray(use)) {
    throw new TypeError(
      `The "use" option must be a middleware or a list of them, got ${typeName(use)}.`,
    );
  }
  if (help !== undefined && typeof help !== "string") {
    throw new TypeError(`The "help" option must be a markdown string, got ${typeName(help)}.`);
  }
  if (fallback !== undefined && typeof fallback !== "boolean") {
    throw new TypeError(`The "fallback" option must be true or false, got ${typeName(fallback)}.`);
  }
}

function describeNames(names: readonly unknown[]): string {
  return names.length === 0 ? "(no name)" : names.map((name) => JSON.stringify(name)).join(", ");
}

/** A short description of a value's type for error messages. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
