import { CommandSetupError } from "../errors/errors.js";
import { dedent } from "./dedent.js";
import type { CommandHandler, CommandInfo, CommandOptions } from "./types.js";

/** A command as the registry keeps it. */
export interface RegisteredCommand extends CommandInfo {
  readonly handler: CommandHandler;
}

/** The names of the built-in help command. */
export const HELP_NAMES = ["help", "help-all"] as const;

/**
 * The commands of one bot: names (matched case-insensitively), aliases, the fallback and the
 * built-in help. Registration errors say what to fix.
 */
export class CommandRegistry {
  readonly #byName = new Map<string, RegisteredCommand>();
  #fallback: RegisteredCommand | undefined;

  /** Adds a command; throws `CommandSetupError` or `TypeError` on wrong arguments. */
  add(names: readonly string[], options: CommandOptions, handler: CommandHandler): void {
    validateOptions(options);
    if (typeof handler !== "function") {
      throw new TypeError(
        `The handler of command ${describeNames(names)} must be a function, got ${typeName(handler)}.`,
      );
    }
    const command: RegisteredCommand = {
      names: [...names],
      help: options.help === undefined ? undefined : dedent(options.help),
      fallback: options.fallback === true,
      builtin: false,
      handler,
    };
    if (command.fallback) this.#addFallback(command);
    else this.#addNamed(command);
  }

  /** Registers the built-in help command (used once, by the bot's constructor). */
  addBuiltin(command: Omit<RegisteredCommand, "builtin" | "fallback">): void {
    const builtin: RegisteredCommand = { ...command, builtin: true, fallback: false };
    for (const name of builtin.names) this.#byName.set(name.toLowerCase(), builtin);
  }

  /** Removes whatever command answers to `help`, and the built-in `help-all`. */
  removeHelp(): void {
    const help = this.#byName.get("help");
    if (help !== undefined) this.#removeCommand(help);
    const helpAll = this.#byName.get("help-all");
    if (helpAll?.builtin === true) this.#removeCommand(helpAll);
  }

  /** The command answering to `name` (any case), not counting the fallback. */
  find(name: string): RegisteredCommand | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  get fallback(): RegisteredCommand | undefined {
    return this.#fallback;
  }

  /** Every named command once, sorted by canonical name. */
  list(): RegisteredCommand[] {
    const unique = new Set(this.#byName.values());
    return [...unique].sort((a, b) => compareNames(sortedNames(a)[0], sortedNames(b)[0]));
  }

  #addFallback(command: RegisteredCommand): void {
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

  #addNamed(command: RegisteredCommand): void {
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
    if (seen.has("help") && this.#byName.get("help")?.builtin === true) this.removeHelp();
    for (const key of seen) this.#byName.set(key, command);
  }

  #removeCommand(command: RegisteredCommand): void {
    for (const [key, value] of this.#byName) {
      if (value === command) this.#byName.delete(key);
    }
  }
}

/** Names of a command sorted for display, case-insensitively. */
export function sortedNames(command: CommandInfo): string[] {
  return [...command.names].sort(compareNames);
}

function compareNames(a: string | undefined, b: string | undefined): number {
  return (a ?? "").toLowerCase().localeCompare((b ?? "").toLowerCase(), "en");
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

function validateOptions(options: unknown): asserts options is CommandOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`Command options must be an object, got ${typeName(options)}.`);
  }
  const { help, fallback } = options as Record<string, unknown>;
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
