import type { Logger } from "../logging/logger.js";
import type { WebexClient } from "../webex/client.js";
import type { Person } from "../webex/types.js";
import type { CommandContext, CommandInput } from "./types.js";

/** A person fetched from Webex on first use only, then cached (the rejection too). */
export interface LazyPerson {
  get(): Promise<Person>;
  /** The person when already fetched successfully; never starts a fetch. */
  peek(): Person | undefined;
}

/** `webex.people.get(personId)`, on first `get()` only. */
export function lazyPerson(webex: WebexClient, personId: string): LazyPerson {
  let pending: Promise<Person> | undefined;
  let fetched: Person | undefined;
  return {
    get() {
      pending ??= webex.people.get(personId).then((person) => (fetched = person));
      return pending;
    },
    peek: () => fetched,
  };
}

/** What one message's run shares between its middleware and its handler. */
export interface RunScope<S extends object> {
  readonly input: CommandInput;
  readonly signal: AbortSignal;
  readonly caller: LazyPerson;
  readonly state: S;
  isAllowed(name: string): Promise<boolean>;
}

/** Builds the context a command handler receives. `caller` is fetched on first read only. */
export function createContext<S extends object>(
  scope: RunScope<S>,
  commandline: readonly string[],
  logger: Logger,
): CommandContext<S> {
  const { message, event, self, webex } = scope.input;
  return {
    commandline: Object.freeze([...commandline]),
    event,
    message,
    self,
    webex,
    signal: scope.signal,
    logger,
    roomId: message.roomId,
    state: scope.state,
    isAllowed: (name) => scope.isAllowed(name),
    get caller(): Promise<Person> {
      return scope.caller.get();
    },
  };
}
