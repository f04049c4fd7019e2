import type { Logger } from "../logging/logger.js";
import type { WebexClient } from "../webex/client.js";
import type { Message, Person } from "../webex/types.js";
import type { WebhookEvent } from "../webex/webhook-event.js";
import type { CommandInfo, CommandOutcome } from "./types.js";

/** What `state` holds unless the bot declares its own type (`new SparkBot<MyState>()`). */
export type DefaultState = Record<string, unknown>;

/**
 * What a message is dispatched to:
 * - `command`: a named command (the built-in help included: its `command.builtin` is true);
 * - `fallback`: the fallback command, for a name no command has;
 * - `not_found`: an unknown name and no fallback (the `commandNotFound` reply);
 * - `empty`: nothing but the bot's mention (the `emptyMessage` reply);
 * - `bad_command_line`: a line that cannot be split (the `badFormat` reply).
 */
export type DispatchKind = "command" | "fallback" | "not_found" | "empty" | "bad_command_line";

/** Where a message goes, decided before any middleware runs. */
export interface Dispatch {
  readonly kind: DispatchKind;
  /** The command that will run (`command` and `fallback` only). */
  readonly command: CommandInfo | undefined;
  /**
   * The name runs are reported under: the command's first name, or `(fallback)`, `(unknown)`,
   * `(empty)`, `(bad-command-line)`.
   */
  readonly name: string;
}

/**
 * What every middleware receives for a message. Card actions and membership events (when the
 * bot handles them) will go through the same chain with their own `type`; check `ctx.type`
 * before reading fields only messages have.
 */
export interface MessageMiddlewareContext<S extends object = DefaultState> {
  readonly type: "message";
  /** The webhook envelope. */
  readonly event: WebhookEvent;
  /** The fetched message. */
  readonly message: Message;
  /** The message split like `shlex.split`, the bot's mention removed; empty when it could not be split. */
  readonly commandline: readonly string[];
  /** What the message is dispatched to. */
  readonly dispatch: Dispatch;
  readonly roomId: string;
  /** The id of the person (or bot) who wrote. */
  readonly personId: string;
  /** The writer as Webex knows them: fetched on first read, then shared with the handler. */
  readonly caller: Promise<Person>;
  readonly self: Person;
  readonly webex: WebexClient;
  /** Fires on timeout or shutdown, as the handler's does. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Shared with the handler as `context.state`: add what the handler should get. */
  readonly state: S;
  /**
   * Sends a reply now, before anything the handler yields (blank replies are skipped). Resolves
   * once the reply has been taken for delivery. Answer without calling `next()` to short-circuit.
   */
  reply(markdown: string): Promise<void>;
  /** How the run has ended so far: set once `await next()` returns (or throws). */
  readonly outcome: CommandOutcome | undefined;
  /** True when the caller passes the access rules of the command named `name` (any alias). */
  isAllowed(name: string): Promise<boolean>;
}

/** The context a middleware gets: for now, messages only. */
export type MiddlewareContext<S extends object = DefaultState> = MessageMiddlewareContext<S>;

/**
 * A Koa-style middleware: it runs around the dispatch of every message (commands, help, the
 * fallback, unknown and empty messages). `await next()` runs the rest of the chain and the
 * handler; errors of the handler come out of `next()` and may be caught. Not calling `next()`
 * stops the message there (answer with `ctx.reply`). Errors thrown here are answered like a
 * handler's: `CommandError` with its text, anything else with the internal-error reply.
 */
export type Middleware<S extends object = DefaultState> = (
  ctx: MiddlewareContext<S>,
  next: () => Promise<void>,
) => unknown;

/**
 * Runs `middleware` in order around `terminal`, Koa's way: each gets `next` to run the rest.
 * Calling one `next` twice rejects.
 */
export function composeMiddleware<C>(
  middleware: readonly ((ctx: C, next: () => Promise<void>) => unknown)[],
  terminal: (ctx: C) => Promise<void>,
): (ctx: C) => Promise<void> {
  return (ctx) => {
    let last = -1;
    const step = async (index: number): Promise<void> => {
      if (index <= last) throw new Error("next() was called twice by one middleware.");
      last = index;
      const current = middleware[index];
      if (current === undefined) return terminal(ctx);
      await current(ctx, () => step(index + 1));
    };
    return step(0);
  };
}

/** Checks a middleware argument; throws `TypeError` naming where it was given. */
export function validateMiddleware(value: unknown, where: string): void {
  if (typeof value !== "function") {
    throw new TypeError(`${where} must be a function (ctx, next) => ..., got ${typeof value}.`);
  }
}
