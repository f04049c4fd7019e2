import type { AdaptiveCard } from "../cards/card-types.js";
import type { Logger } from "../logging/logger.js";
import type { WebexClient } from "../webex/client.js";
import type { AttachmentAction, Membership, Message, Person } from "../webex/types.js";
import type { WebhookEvent } from "../webex/webhook-event.js";
import type { MembershipEventKind } from "./event-types.js";
import type { ReplyValue } from "./replies.js";
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

/** What the middleware context of every kind of run has. */
interface BaseMiddlewareContext<S extends object> {
  /** The webhook envelope. */
  readonly event: WebhookEvent;
  /**
   * The name the run is reported under: the command's (`dispatch.name`), the card action's, or
   * the membership event's kind (`botAdded`…).
   */
  readonly name: string;
  readonly roomId: string;
  readonly self: Person;
  readonly webex: WebexClient;
  /** Fires on timeout or shutdown, as the handler's does. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Shared with the handler as `context.state`: add what the handler should get. */
  readonly state: S;
  /**
   * Sends a reply now, before anything the handler yields (markdown or a reply message; blank
   * ones are skipped). Resolves once the reply has been taken for delivery. Answer without
   * calling `next()` to short-circuit.
   */
  reply(value: ReplyValue): Promise<void>;
  /** How the run has ended so far: set once `await next()` returns (or throws). */
  readonly outcome: CommandOutcome | undefined;
}

/**
 * What every middleware receives for a message (`type: "message"`). Card actions and membership
 * events go through the same chain with their own `type`: check `ctx.type` before reading
 * fields only messages have.
 */
export interface MessageMiddlewareContext<
  S extends object = DefaultState,
> extends BaseMiddlewareContext<S> {
  readonly type: "message";
  /** The fetched message. */
  readonly message: Message;
  /** The message split like `shlex.split`, the bot's mention removed; empty when it could not be split. */
  readonly commandline: readonly string[];
  /** What the message is dispatched to. */
  readonly dispatch: Dispatch;
  /** The id of the person (or bot) who wrote. */
  readonly personId: string;
  /** The writer as Webex knows them: fetched on first read, then shared with the handler. */
  readonly caller: Promise<Person>;
  /** True when the caller passes the access rules of the command named `name` (any alias). */
  isAllowed(name: string): Promise<boolean>;
}

/** What middleware receives for a card submission (`type: "cardAction"`). */
export interface CardActionMiddlewareContext<
  S extends object = DefaultState,
> extends BaseMiddlewareContext<S> {
  readonly type: "cardAction";
  /** The submission (`inputs`, `messageId`, `personId`…). */
  readonly action: AttachmentAction;
  /** The card's message. */
  readonly message: Message;
  readonly card: AdaptiveCard | undefined;
  /** Where it is routed: a registered action, the action fallback, or none (`unknownAction`). */
  readonly route: "action" | "fallback" | "unknown";
  /** The person who submitted. */
  readonly personId: string;
  /** That person, fetched on first read, shared with the handler. */
  readonly caller: Promise<Person>;
  isAllowed(name: string): Promise<boolean>;
}

/** What middleware receives for a membership event (`type: "membership"`). */
export interface MembershipMiddlewareContext<
  S extends object = DefaultState,
> extends BaseMiddlewareContext<S> {
  readonly type: "membership";
  readonly kind: MembershipEventKind;
  readonly membership: Membership;
  /** The person who joined or left. */
  readonly personId: string;
  /** Who did it, when Webex says. */
  readonly actorId: string | undefined;
  readonly actor: Promise<Person>;
}

/** The context a middleware gets: narrow it on `ctx.type`. */
export type MiddlewareContext<S extends object = DefaultState> =
  MessageMiddlewareContext<S> | CardActionMiddlewareContext<S> | MembershipMiddlewareContext<S>;

/**
 * A Koa-style middleware: it runs around the dispatch of every message (commands, help, the
 * fallback, unknown and empty messages), card action and handled membership event. `await next()` runs the rest of the chain and the
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
