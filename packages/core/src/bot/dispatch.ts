import { tokenize } from "../commandline/tokenize.js";
import { CommandLineError } from "../errors/errors.js";
import type { Message, Person } from "../webex/types.js";
import { stripMention } from "./mention.js";
import type { DefaultState, Dispatch } from "./middleware.js";
import type { CommandRegistry, RegisteredCommand } from "./registry.js";
import type { CommandInfo } from "./types.js";

/** Names reported by `CommandRun.command` when no named command ran. */
export const PSEUDO_COMMANDS = {
  fallback: "(fallback)",
  unknown: "(unknown)",
  empty: "(empty)",
  self: "(self)",
  badCommandLine: "(bad-command-line)",
} as const;

/** A message's dispatch with what running it needs. */
export interface ResolvedDispatch<S extends object = DefaultState> extends Dispatch {
  /** The split command line; empty when it could not be split. */
  readonly commandline: readonly string[];
  readonly registered: RegisteredCommand<S> | undefined;
  /** Why the line could not be split (`bad_command_line` only). */
  readonly reason?: string;
}

/**
 * Decides where a message goes: the bot's name removed (see `stripMention`), the line split like
 * `shlex.split`, and the first word looked up among the commands (any case), else the fallback.
 */
export function resolveDispatch<S extends object>(
  registry: CommandRegistry<S>,
  message: Message,
  self: Person,
): ResolvedDispatch<S> {
  const isCommandName = (word: string): boolean => registry.find(word) !== undefined;
  let commandline: string[];
  try {
    commandline = tokenize(stripMention(message, self, isCommandName));
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    return {
      kind: "bad_command_line",
      name: PSEUDO_COMMANDS.badCommandLine,
      command: undefined,
      registered: undefined,
      commandline: [],
      reason: error.reason,
    };
  }
  const [first] = commandline;
  const none = { command: undefined, registered: undefined, commandline };
  if (first === undefined) return { kind: "empty", name: PSEUDO_COMMANDS.empty, ...none };
  const named = registry.find(first);
  if (named !== undefined) {
    const name = named.names[0] ?? first;
    return { kind: "command", name, command: toInfo(named), registered: named, commandline };
  }
  const fallback = registry.fallback;
  if (fallback === undefined) return { kind: "not_found", name: PSEUDO_COMMANDS.unknown, ...none };
  return {
    kind: "fallback",
    name: PSEUDO_COMMANDS.fallback,
    command: toInfo(fallback),
    registered: fallback,
    commandline,
  };
}

/** The public view of a registered command (a copy: callers cannot change the registry). */
export function toInfo(command: CommandInfo): CommandInfo {
  return {
    names: [...command.names],
    help: command.help,
    fallback: command.fallback,
    builtin: command.builtin,
  };
}
