import { CommandSetupError } from "../errors/errors.js";

/**
 * The texts users see when SparkBot answers for itself, each the whole reply (markdown). Set
 * them with `new SparkBot({ texts })` or `bot.setTexts(...)`; unset ones keep the defaults, which
 * are the original SparkBot's words where it had the case. `{name}` placeholders are filled in.
 */
export interface ReplyTexts {
  /** An unknown command, when there is no fallback. `{command}`: the name as typed. */
  commandNotFound: string;
  /** A command line that cannot be split. `{reason}`: `No closing quotation` or `No escaped character`. */
  badFormat: string;
  /** A handler or middleware threw something other than a `CommandError`. */
  internalError: string;
  /** A handler or middleware threw `CommandError`. `{message}`: its message. */
  userError: string;
  /** The command ran past `COMMAND_TIMEOUT_MS`. */
  timeout: string;
  /** A message with nothing but the bot's mention. */
  emptyMessage: string;
  /** Access control refused the caller. `{command}`: the command's name. */
  accessDenied: string;
  /** The caller's identity or room could not be looked up, so access could not be checked. */
  accessUnverified: string;
  /**
   * The text sent with a card that comes without one: Webex shows it where the card cannot be
   * shown (and in notifications).
   */
  cardFallback: string;
  /** A card was submitted with an action no handler takes, and there is no action fallback. `{action}`. */
  unknownAction: string;
}

/** The defaults of `ReplyTexts`, and the two texts used instead when the bot has no `help`. */
export const DEFAULT_REPLY_TEXTS: Readonly<
  ReplyTexts & { commandNotFoundWithoutHelp: string; emptyMessageWithoutHelp: string }
> = Object.freeze({
  commandNotFound: "⚠️ Error: Command not found. Maybe try 'help'?",
  commandNotFoundWithoutHelp: "⚠️ Error: Command not found.",
  badFormat: "⚠️Error: Please check the format of your command. {reason}",
  internalError:
    "⚠️ Error: Something happened internally. For more information, contact the bot author.",
  userError: "⚠️ Error: {message}",
  timeout:
    "⚠️ Error: This command took too long and was stopped. Try again, or contact the bot author if it keeps happening.",
  emptyMessage: "👋 Type `help` to see what I can do.",
  emptyMessageWithoutHelp: "👋 Send me a command.",
  accessDenied: "⚠️ Error: You are not allowed to use this command.",
  accessUnverified:
    "⚠️ Error: I could not check whether you may use this command (Webex did not answer). Please try again in a moment.",
  cardFallback: "I sent a card, which this Webex client cannot show.",
  unknownAction: "⚠️ Error: I do not know what to do with this card (any more).",
});

const TEXT_KEYS: readonly (keyof ReplyTexts)[] = [
  "commandNotFound",
  "badFormat",
  "internalError",
  "userError",
  "timeout",
  "emptyMessage",
  "accessDenied",
  "accessUnverified",
  "cardFallback",
  "unknownAction",
];

/**
 * Checks texts an author gives: known keys, strings that are not blank.
 *
 * @throws TypeError an unknown key or a value that is not a string.
 * @throws CommandSetupError a blank text (to say nothing, use middleware or a fallback).
 */
export function validateTexts(texts: unknown): Partial<ReplyTexts> {
  if (typeof texts !== "object" || texts === null || Array.isArray(texts)) {
    throw new TypeError('The texts must be an object like { commandNotFound: "..." }.');
  }
  const checked: Partial<ReplyTexts> = {};
  for (const [key, value] of Object.entries(texts)) {
    if (!(TEXT_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(`Unknown text "${key}"; the texts are ${TEXT_KEYS.join(", ")}.`);
    }
    if (typeof value !== "string") {
      throw new TypeError(`The text "${key}" must be a string (markdown).`);
    }
    if (value.trim() === "") {
      throw new CommandSetupError(
        `The text "${key}" is blank; a reply cannot be empty (middleware can answer instead).`,
      );
    }
    checked[key as keyof ReplyTexts] = value;
  }
  return checked;
}

/** The texts in effect: the author's, else the defaults (which depend on whether help exists). */
export function effectiveTexts(custom: Partial<ReplyTexts>, hasHelp: boolean): ReplyTexts {
  const defaults = DEFAULT_REPLY_TEXTS;
  return {
    commandNotFound:
      custom.commandNotFound ??
      (hasHelp ? defaults.commandNotFound : defaults.commandNotFoundWithoutHelp),
    badFormat: custom.badFormat ?? defaults.badFormat,
    internalError: custom.internalError ?? defaults.internalError,
    userError: custom.userError ?? defaults.userError,
    timeout: custom.timeout ?? defaults.timeout,
    emptyMessage:
      custom.emptyMessage ?? (hasHelp ? defaults.emptyMessage : defaults.emptyMessageWithoutHelp),
    accessDenied: custom.accessDenied ?? defaults.accessDenied,
    accessUnverified: custom.accessUnverified ?? defaults.accessUnverified,
    cardFallback: custom.cardFallback ?? defaults.cardFallback,
    unknownAction: custom.unknownAction ?? defaults.unknownAction,
  };
}

/** Fills `{name}` placeholders of `template` from `values`; other braces stay as written. */
export function fillText(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? (values[name] ?? whole) : whole,
  );
}
