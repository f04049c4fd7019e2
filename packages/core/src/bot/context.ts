import type { Logger } from "../logging/logger.js";
import type { Person } from "../webex/types.js";
import type { CommandContext, CommandInput } from "./types.js";

/**
 * Builds the context a handler receives. `caller` is fetched on first read only, then cached.
 */
export function createContext(
  input: CommandInput,
  commandline: readonly string[],
  signal: AbortSignal,
  logger: Logger,
): CommandContext {
  const { message, event, self, webex } = input;
  let caller: Promise<Person> | undefined;
  return {
    commandline: Object.freeze([...commandline]),
    event,
    message,
    self,
    webex,
    signal,
    logger,
    roomId: message.roomId,
    get caller(): Promise<Person> {
      caller ??= webex.people.get(message.personId);
      return caller;
    },
  };
}
