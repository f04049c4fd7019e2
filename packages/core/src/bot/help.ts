import type { CommandContext } from "./types.js";
import { REPLY_TEXT } from "./replies.js";
import { sortedNames, type CommandRegistry } from "./registry.js";

/** The help of the built-in `help` command itself. */
export const BUILTIN_HELP_TEXT = [
  "Lists my commands, or shows the help of one command.",
  "",
  "Usage: `help [command]`",
  "",
  "`help`, `help all` and `help-all` list every command.",
].join("\n");

/**
 * The list of commands: a header line, then one ` - name1, name2` line per command (aliases
 * sorted within a line, lines sorted by name). The fallback is not listed.
 */
export function formatHelpAll(registry: CommandRegistry): string {
  const lines = registry.list().map((command) => ` - ${sortedNames(command).join(", ")}`);
  return [REPLY_TEXT.helpHeader, ...lines].join("\n");
}

/** The help of the command named `name` (any alias, any case), or why there is none. */
export function formatHelpFor(registry: CommandRegistry, name: string): string {
  const command = registry.find(name);
  if (command === undefined) return REPLY_TEXT.helpUnknown(name);
  if (command.help === undefined || command.help.trim() === "") {
    return REPLY_TEXT.helpMissing(name);
  }
  return command.help;
}

/** The handler of the built-in help: `help`, `help all`, `help-all`, `help <command>`. */
export function createHelpHandler(registry: CommandRegistry) {
  return ({ commandline }: CommandContext): string => {
    const [invokedAs = "help", topic] = commandline;
    if (invokedAs.toLowerCase() === "help-all" || topic === undefined) {
      return formatHelpAll(registry);
    }
    if (topic.toLowerCase() === "all" || topic === "") return formatHelpAll(registry);
    return formatHelpFor(registry, topic);
  };
}
