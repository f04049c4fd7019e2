import type { DefaultState } from "./middleware.js";
import { HELP_ALL_ALIAS, sortedNames, type CommandRegistry } from "./registry.js";
import type { CommandContext } from "./types.js";

/** The help of the built-in `help` command itself: the original's words. */
export const BUILTIN_HELP_TEXT = [
  "The default help command.",
  "",
  "Usage: `help [command]`",
  "",
  "Gives the help for [command]. If a command is not given (or is `all`), gives `help-all`.",
].join("\n");

/** The texts of the built-in help (the original's words). */
export const HELP_TEXT = {
  header: "Type `help [command]` for more specific help about any of these commands:",
  unknown: (name: string): string => `I don't have a command with the name "${name}".`,
  missing: (name: string): string => `There is no help available for \`${name}\`.`,
} as const;

/**
 * The list of commands, as the original writes it: the header, then one ` - name1, name2` line
 * per command (see `CommandRegistry.list` for the order). The fallback is not listed, nor are
 * commands the caller may not use (`isAllowed`).
 */
export async function formatHelpAll<S extends object>(
  registry: CommandRegistry<S>,
  isAllowed: (name: string) => Promise<boolean>,
): Promise<string> {
  const lines: string[] = [];
  for (const command of registry.list()) {
    const [name] = command.names;
    if (name === undefined || !(await isAllowed(name))) continue;
    lines.push(` - ${sortedNames(command).join(", ")}`);
  }
  return [HELP_TEXT.header, ...lines].join("\n");
}

/** The help of the command named `name` (any alias, any case), or why there is none. */
export async function formatHelpFor<S extends object>(
  registry: CommandRegistry<S>,
  name: string,
  isAllowed: (name: string) => Promise<boolean>,
): Promise<string> {
  const command = registry.find(name);
  if (command === undefined || !(await isAllowed(name))) return HELP_TEXT.unknown(name);
  if (command.help === undefined || command.help.trim() === "") return HELP_TEXT.missing(name);
  return command.help;
}

/** The handler of the built-in help: `help`, `help all`, `help-all`, `help <command>`. */
export function createHelpHandler<S extends object = DefaultState>(registry: CommandRegistry<S>) {
  return ({ commandline, isAllowed }: CommandContext<S>): Promise<string> => {
    const [invokedAs = "help", topic] = commandline;
    const listAll =
      invokedAs.toLowerCase() === HELP_ALL_ALIAS ||
      topic === undefined ||
      topic === "" ||
      topic.toLowerCase() === "all";
    return listAll ? formatHelpAll(registry, isAllowed) : formatHelpFor(registry, topic, isAllowed);
  };
}
