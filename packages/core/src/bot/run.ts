import { createAccessGate } from "../access/gate.js";
import { CombinedPolicy, normalizePolicy, type NormalizedPolicy } from "../access/policy.js";
import type { AccessDenial } from "../access/rules.js";
import { CommandError, CommandTimeoutError } from "../errors/errors.js";
import { silentLogger, type Logger } from "../logging/logger.js";
import { createContext, lazyPerson, type RunScope } from "./context.js";
import { PSEUDO_COMMANDS, resolveDispatch, type ResolvedDispatch } from "./dispatch.js";
import { driveHandler, raceAbort, toReply } from "./drive.js";
import {
  composeMiddleware,
  type DefaultState,
  type MessageMiddlewareContext,
  type Middleware,
} from "./middleware.js";
import type { CommandRegistry } from "./registry.js";
import { ReplyChannel } from "./reply-channel.js";
import { splitReply } from "./split-reply.js";
import { fillText, type ReplyTexts } from "./texts.js";
import type { CommandInput, CommandOutcome, CommandRun, Reply } from "./types.js";

export { PSEUDO_COMMANDS };

/** What a bot hands each run: its commands, middleware, texts and own access policy. */
export interface BotSetup<S extends object = DefaultState> {
  readonly registry: CommandRegistry<S>;
  readonly middleware: readonly Middleware<S>[];
  readonly texts: ReplyTexts;
  readonly policy: NormalizedPolicy;
}

const NEVER_ABORTED = new AbortController().signal;

/** One message turned into a stream of replies. See `CommandRun`. */
export class CommandRunner<S extends object = DefaultState> implements CommandRun {
  #command: string | undefined;
  #outcome: CommandOutcome | undefined;
  #denial: AccessDenial | undefined;
  #started = false;
  readonly #setup: BotSetup<S>;
  readonly #input: CommandInput;
  readonly #logger: Logger;

  constructor(setup: BotSetup<S>, input: CommandInput) {
    this.#setup = setup;
    this.#input = input;
    this.#logger = input.logger ?? silentLogger;
  }

  get command(): string | undefined {
    return this.#command;
  }

  get outcome(): CommandOutcome | undefined {
    return this.#outcome;
  }

  get denial(): AccessDenial | undefined {
    return this.#denial;
  }

  [Symbol.asyncIterator](): AsyncIterator<Reply> {
    if (this.#started) throw new Error("A CommandRun can be iterated only once.");
    this.#started = true;
    return this.#replies();
  }

  async *#replies(): AsyncGenerator<Reply, void, undefined> {
    const { message, self } = this.#input;
    if (message.personId === self.id) {
      this.#command = PSEUDO_COMMANDS.self;
      this.#outcome = "ignored";
      return;
    }
    const channel = new ReplyChannel();
    this.#execute(channel, this.#input.signal ?? NEVER_ABORTED).then(
      () => channel.close(),
      (error: unknown) => channel.close({ error }),
    );
    // A reader that stops early (a failed delivery) cancels the channel (its finally): the
    // handler is stopped at its next reply (see #terminal), the rest is not read.
    for await (const markdown of channel.read()) {
      for (const chunk of splitReply(markdown)) yield { markdown: chunk };
    }
  }

  /** Resolves the dispatch, runs the middleware chain around it, and turns errors into replies. */
  async #execute(channel: ReplyChannel, signal: AbortSignal): Promise<void> {
    const { registry, texts } = this.#setup;
    const { message, self, webex } = this.#input;
    const dispatch = resolveDispatch(registry, message, self);
    this.#command = dispatch.name;
    const logger = this.#logger.child({ command: dispatch.name });
    const caller = lazyPerson(webex, message.personId);
    const reply = (markdown: string): Promise<void> => {
      const value = toReply(markdown);
      return value === undefined ? Promise.resolve() : channel.push(value);
    };
    const gate = createAccessGate<S>({
      policy: this.#policy(),
      find: (name) => registry.find(name),
      dispatch,
      message,
      webex,
      caller,
      texts,
      logger,
      onDenied: (denial) => this.#denied(denial),
    });
    const scope: RunScope<S> = {
      input: this.#input,
      signal,
      caller,
      state: {} as S,
      isAllowed: (name) => gate.isAllowed(name),
    };
    const ctx = this.#middlewareContext(scope, dispatch, logger, reply);
    const chain = composeMiddleware<MessageMiddlewareContext<S>>(
      [gate.middleware, ...this.#setup.middleware, ...(dispatch.registered?.middleware ?? [])],
      () => this.#terminal(scope, dispatch, channel, logger, reply),
    );
    const running = chain(ctx);
    // Past an abort the chain is left behind; its later failure must not go unhandled.
    running.catch(() => undefined);
    try {
      await (signal === NEVER_ABORTED ? running : raceAbort(running, signal));
      this.#outcome ??= "intercepted";
    } catch (error) {
      await this.#failed(signal.aborted ? signal.reason : error, signal.aborted, logger, reply);
    }
  }

  /** The end of the chain: the handler, or the bot's own answer. */
  async #terminal(
    scope: RunScope<S>,
    dispatch: ResolvedDispatch<S>,
    channel: ReplyChannel,
    logger: Logger,
    reply: (markdown: string) => Promise<void>,
  ): Promise<void> {
    const { texts } = this.#setup;
    const [typed = ""] = dispatch.commandline;
    if (dispatch.kind === "bad_command_line") {
      await reply(fillText(texts.badFormat, { reason: dispatch.reason ?? "" }));
      this.#outcome = "bad_command_line";
    } else if (dispatch.kind === "empty") {
      await reply(texts.emptyMessage);
      this.#outcome = "empty";
    } else if (dispatch.kind === "not_found" || dispatch.registered === undefined) {
      await reply(fillText(texts.commandNotFound, { command: typed }));
      this.#outcome = "not_found";
    } else {
      const { handler } = dispatch.registered;
      const context = createContext(scope, dispatch.commandline, logger);
      for await (const value of driveHandler(() => handler(context), scope.signal)) {
        await reply(value);
        // Nobody reads any more: stop the handler (a generator's `finally` runs).
        if (channel.cancelled) throw new ReaderGone();
      }
      this.#outcome = "ok";
    }
  }

  /** Answers an error of the handler or a middleware; an abort other than a timeout is rethrown. */
  async #failed(
    error: unknown,
    aborted: boolean,
    logger: Logger,
    reply: (markdown: string) => Promise<void>,
  ): Promise<void> {
    const { texts } = this.#setup;
    if (error instanceof ReaderGone) throw error;
    if (aborted) {
      if (!hasCode(error, CommandTimeoutError, "COMMAND_TIMEOUT")) throw error;
      logger.warn("command timed out", { timeoutMs: error.timeoutMs });
      this.#outcome = "timeout";
      await reply(texts.timeout);
    } else if (hasCode(error, CommandError, "COMMAND")) {
      this.#outcome = "user_error";
      await reply(fillText(texts.userError, { message: error.message }));
    } else {
      logger.error("command failed", { err: describeError(error) });
      this.#outcome = "error";
      await reply(texts.internalError);
    }
  }

  #middlewareContext(
    scope: RunScope<S>,
    dispatch: ResolvedDispatch<S>,
    logger: Logger,
    reply: (markdown: string) => Promise<void>,
  ): MessageMiddlewareContext<S> {
    const { event, message, self, webex } = this.#input;
    const outcome = (): CommandOutcome | undefined => this.#outcome;
    return {
      type: "message",
      event,
      message,
      commandline: Object.freeze([...dispatch.commandline]),
      dispatch: { kind: dispatch.kind, command: dispatch.command, name: dispatch.name },
      roomId: message.roomId,
      personId: message.personId,
      get caller() {
        return scope.caller.get();
      },
      self,
      webex,
      signal: scope.signal,
      logger,
      state: scope.state,
      reply,
      get outcome() {
        return outcome();
      },
      isAllowed: scope.isAllowed,
    };
  }

  /** The bot's own policy, and the one of this run (the deployment's), when given. */
  #policy(): CombinedPolicy {
    const { access } = this.#input;
    const runPolicy = access === undefined ? [] : [normalizePolicy(access, "The access option")];
    return new CombinedPolicy([this.#setup.policy, ...runPolicy]);
  }

  #denied(denial: AccessDenial): void {
    this.#denial = denial;
    this.#outcome = denial.reason === "from_bot" ? "ignored" : "denied";
    this.#input.onAccessDenied?.(denial);
  }
}

/** The reader of a run's replies stopped early: the run ends without a word. */
class ReaderGone extends Error {
  constructor() {
    super("The replies stopped being read.");
  }
}

/**
 * `instanceof`, or the same error `code`: a bot module may load another copy of core than the
 * worker, and its errors must still be recognised.
 */
function hasCode<T extends Error>(
  value: unknown,
  type: abstract new (...args: never[]) => T,
  code: string,
): value is T {
  if (value instanceof type) return true;
  return value instanceof Error && (value as { code?: unknown }).code === code;
}

/** Error fields for logs: name, code, message and stack, never the user's text. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, code, stack: error.stack };
}
